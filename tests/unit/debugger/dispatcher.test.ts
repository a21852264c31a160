import { describe, expect, test } from 'vitest'
import { CommandError, Dispatcher, builtinCommands, createDispatcher, outputText, parseCommandLine, type Command } from '../../../shared/debugger'
import { PRODUCT_NAME, VERSION } from '../../../shared/version'

const run = async (line: string, dispatcher = createDispatcher()) => dispatcher.execute(line)
const text = async (line: string) => outputText(await run(line))

describe('parseCommandLine', () => {
  test('splits the command word from the raw argument text', () => {
    expect(parseCommandLine('  echo  a  b  ')).toEqual({ word: 'echo', args: 'a  b', rawArgs: ' a  b  ' })
    expect(parseCommandLine('x/4x $sp')).toEqual({ word: 'x', args: '/4x $sp', rawArgs: '/4x $sp' })
  })
  test('blank lines and comments are nothing to run', () => {
    expect(parseCommandLine('   ')).toBeNull()
    expect(parseCommandLine('# a comment')).toBeNull()
  })
})

describe('unknown and ambiguous commands', () => {
  test('an unknown command gets gdb\'s exact message', async () => {
    const output = await run('foo')
    expect(output.ok).toBe(false)
    expect(outputText(output)).toBe('Undefined command: "foo".  Try "help".\n')
    expect(output.segments.every((segment) => segment.style === 'error')).toBe(true)
  })
  test('a word that is not a command name is reported whole', async () => {
    expect(await text('!ls -l')).toBe('Undefined command: "!ls".  Try "help".\n')
  })
  test('a prefix shared by several commands is ambiguous, as in gdb', async () => {
    const dispatcher = new Dispatcher([
      { name: 'enable', category: 'support', summary: 'E.', documentation: 'E.', run: () => {} },
      { name: 'echo', category: 'support', summary: 'E.', documentation: 'E.', run: () => {} },
    ])
    expect(outputText(await dispatcher.execute('e'))).toBe('Ambiguous command "e": echo, enable.\n')
    expect((await dispatcher.execute('ec')).ok).toBe(true)
  })
  test('blank lines succeed silently', async () => {
    expect(await run('')).toEqual({ ok: true, segments: [] })
  })
})

describe('help', () => {
  test('lists the classes of commands, as gdb does', async () => {
    const listing = await text('help')
    expect(listing).toMatch(/^List of classes of commands:\n\nbreakpoints -- Making program stop at certain points\.\n/)
    expect(listing).toContain('running -- Running the program.\n')
    expect(listing).toContain('Type "help all" for the list of all commands.\n')
    expect(listing).toContain('Command name abbreviations are allowed if unambiguous.\n')
  })
  test('help CLASS lists its commands with their aliases, latest first', async () => {
    const support = await text('help support')
    expect(support).toMatch(/^Support facilities\.\n\nList of commands:\n\n/)
    expect(support).toContain('echo -- Print a constant string.  Give string as argument.\n')
    expect(support).toContain('help, h -- Print list of commands.\n')
    expect(support).toContain(`version -- Show what version of ${PRODUCT_NAME} this is.\n`)
    expect(await text('help running')).toContain('continue, fg, c -- Continue program being debugged, after signal or breakpoint.\n')
  })
  test('help all lists every command under its class', async () => {
    const all = await text('help all')
    for (const command of builtinCommands) expect(all).toContain(`${command.name}`)
    expect(all).toContain('\nCommand class: heap\n\n')
  })
  test('help CMD prints the documentation, aliases first as gdb does', async () => {
    expect(await text('help help')).toMatch(/^help, h\nPrint list of commands\.\n/)
    expect(await text('help echo')).toMatch(/^Print a constant string\. {2}Give string as argument\.\nC escape sequences/)
    expect(await text('h ver')).toBe(`Show what version of ${PRODUCT_NAME} this is.\nExample: version\n`)
  })
  test('help on an unknown command fails like an unknown command', async () => {
    const output = await run('help nosuch')
    expect(output.ok).toBe(false)
    expect(outputText(output)).toBe('Undefined command: "nosuch".  Try "help".\n')
  })
})

test('version names the product and the version', async () => {
  expect(await text('version')).toMatch(new RegExp(`^${PRODUCT_NAME} ${VERSION.replaceAll('.', '\\.')}\n`))
})

describe('failures inside commands', () => {
  const failing: Command[] = [
    { name: 'oops', category: 'support', summary: 'Fails.', documentation: 'Fails.', run: () => { throw new CommandError('No symbol table is loaded.') } },
    { name: 'bug', category: 'support', summary: 'Breaks.', documentation: 'Breaks.', run: () => { throw new TypeError('x is undefined') } },
  ]
  const dispatcher = new Dispatcher(failing)
  test('a CommandError is the user-facing message', async () => {
    expect(await dispatcher.execute('oops')).toEqual({ ok: false, segments: [{ text: 'No symbol table is loaded.\n', style: 'error' }] })
  })
  test('an unexpected exception becomes output, never escapes', async () => {
    expect(outputText(await dispatcher.execute('bug'))).toBe('Internal error in "bug": x is undefined\n')
  })
  test('two commands with one name are refused at construction', () => {
    expect(() => new Dispatcher([failing[0]!, { ...failing[1]!, name: 'oops' }])).toThrow('two debugger commands are named "oops"')
  })
})
