// DW_AT_alignment as gcc 12 -O0 -g writes it: on the variables, records, members, typedefs and
// array types whose alignment was asked for (`_Alignas`, `__attribute__((aligned))`, on the
// declaration or inherited through a type), never where it is only the type's natural one.
// The same program is built by Memscape and by gcc; readelf, gdb and our reader must find the
// same alignments in both.
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readDebugInfo, type DebugInfo, type DwarfType } from '../../../shared/debuginfo'
import { typeText } from './canonical'
import { buildPair, cleanUp, gccFlagsFor, gdbCommands, run } from './native'

afterAll(cleanUp)

const SOURCE = 'prog.c'
const PROGRAM = `#include <stdio.h>

/* Described while incomplete (is_late is compiled before the body is seen), aligned later. */
struct late;
struct late *late_ptr;
int is_late(struct late *p) { return p != 0; }

struct members { char c; _Alignas(16) int x; int y __attribute__((aligned(32))); char z; };
struct __attribute__((aligned(64))) block { int a; };
union __attribute__((aligned(16))) word { int i; char b; };
struct tail { char c; int i; } __attribute__((aligned(8)));
struct plain { char c; int i __attribute__((aligned)); };
struct natural { _Alignas(4) int x; };
struct lowered { char c; int x __attribute__((aligned(1))); };
struct __attribute__((aligned(1))) widened { int i; };
struct __attribute__((packed)) packed_member { char c; int x __attribute__((aligned(2))); };
typedef long wide __attribute__((aligned(32)));
typedef int narrow __attribute__((aligned(2)));
typedef int four __attribute__((aligned(4)));
typedef char huge __attribute__((aligned(65536)));
typedef struct block block_t;
typedef struct __attribute__((aligned(16))) { int a; } anon_t;
typedef int row_t[4] __attribute__((aligned(64)));
struct __attribute__((packed)) squeezed { char c; wide v; };
struct holder { char c; struct block b; };
struct nested { char c; struct holder h; };
struct through_type { char c; narrow n; four quad[2]; wide w; };
struct anonymous { struct { _Alignas(16) int a; }; int b; };
union choice { char c; _Alignas(8) int x; };
struct packed_int { int x __attribute__((packed)); char c; };
struct late { char c; } __attribute__((aligned(32)));
/* Bit-fields: their own aligned attribute (below the type's too, unnamed too), a type a typedef aligned. */
struct bit_request { int a : 3; int b : 5 __attribute__((aligned(8))); char after; };
struct bit_below { char c; int b : 8 __attribute__((aligned(1))); };
struct bit_unnamed { char c; int : 5 __attribute__((aligned(8))); char after; };
struct bit_typed { char c; wide b : 5; narrow n : 20; char after; };
/* Pointer types made with an aligned attribute (raised or lowered), directly or under a typedef. */
typedef int *iptr __attribute__((aligned(16)));
typedef int *__attribute__((aligned(16))) aptr;
struct pointers { char c; int *__attribute__((aligned(32))) m; iptr i; aptr a; };

_Alignas(32) char buffer[8];
_Alignas(4096) char page[4];
int bytes __attribute__((aligned(256)));
wide w_plain;
wide w_lowered __attribute__((aligned(8)));
const wide w_const = 5;
huge *huge_ptr;
struct members g_members;
struct block g_block;
union word g_word;
struct tail g_tail;
struct plain g_plain;
struct natural g_natural;
struct lowered g_lowered;
struct widened g_widened;
struct packed_member g_packed_member;
struct squeezed g_squeezed;
struct nested g_nested;
struct through_type g_through;
struct anonymous g_anonymous;
union choice g_choice;
struct packed_int g_packed_int;
struct late g_late;
block_t g_block_t;
anon_t g_anon;
row_t g_row;
four g_grid[2][3];
struct bit_request g_bit_request;
struct bit_below g_bit_below;
struct bit_unnamed g_bit_unnamed;
struct bit_typed g_bit_typed;
int *__attribute__((aligned(16))) p_raised;
char c_between;
int *__attribute__((aligned(2))) p_lowered;
iptr g_iptr;
aptr g_aptr;
struct pointers g_pointers;

static void dump(const char *name, const void *object, unsigned long size)
{
    const unsigned char *bytes = object;
    printf("%s:", name);
    for (unsigned long i = 0; i < size; i++) printf(" %02x", bytes[i]);
    printf("\\n");
}

long twice(wide p) { return p * 2; }

int main(void)
{
    _Alignas(16) int local = 1;
    wide w = 2;
    int *__attribute__((aligned(32))) p_local = &local;
    g_members.x = local + (int)twice(w) + is_late(&g_late);
    printf("%d\\n", g_members.x);
    g_bit_request.a = -1;
    g_bit_request.b = 9;
    g_bit_request.after = 1;
    g_bit_below.b = -100;
    g_bit_unnamed.after = 2;
    g_bit_typed.b = -7;
    g_bit_typed.n = 300000;
    g_bit_typed.after = 3;
    dump("request", &g_bit_request, sizeof g_bit_request);
    dump("below", &g_bit_below, sizeof g_bit_below);
    dump("unnamed", &g_bit_unnamed, sizeof g_bit_unnamed);
    dump("typed", &g_bit_typed, sizeof g_bit_typed);
    printf("%d %d %d %d\\n", g_bit_request.a + g_bit_request.b, g_bit_below.b, (int)g_bit_typed.b, g_bit_typed.n);
    printf("%d %lu %lu\\n", *p_local, (unsigned long)&p_local % 32, (unsigned long)&p_raised % 16);
    return 0;
}
`

/** Every DIE of the unit that carries DW_AT_alignment, as readelf decodes it: `tag parent.name`,
 *  the value, and how many bytes the value takes in .debug_info (0 for DW_FORM_implicit_const). */
interface AlignedDie {
  readonly die: string
  readonly value: number
  readonly width: number
}

function alignedDies(path: string): AlignedDie[] {
  const found: AlignedDie[] = []
  const names: string[] = []
  let unit: string | undefined
  let tag = ''
  let depth = 0
  let pending: { value: number; at: number } | undefined
  const finish = (nextOffset: number): void => {
    if (pending && unit === SOURCE) found.push({ die: `${tag} ${names[depth - 1] ?? ''}.${names[depth] ?? ''}`, value: pending.value, width: nextOffset - pending.at })
    pending = undefined
  }
  for (const line of run('readelf', ['--debug-dump=info', path]).split('\n')) {
    const die = /^\s*<(\d+)><([0-9a-f]+)>: Abbrev Number: \d+(?: \((\w+)\))?/.exec(line)
    if (die) {
      finish(parseInt(die[2] as string, 16))
      depth = Number(die[1])
      tag = die[3] ?? ''
      names[depth] = ''
      continue
    }
    const attr = /^\s*<([0-9a-f]+)>\s+DW_AT_(\w+)\s*: (.*)$/.exec(line)
    if (!attr) continue
    const offset = parseInt(attr[1] as string, 16)
    finish(offset)
    const value = (attr[3] as string).trim()
    if (attr[2] === 'name') {
      // `(indirect string, offset: 0x5b): name` or the name itself.
      names[depth] = value.replace(/^\(indirect (line )?string, offset: (0x)?[0-9a-f]+\): /, '')
      if (tag === 'DW_TAG_compile_unit') unit = names[depth]
    } else if (attr[2] === 'alignment') pending = { value: Number(value), at: offset }
  }
  return found
}

/** Sorted, without repeats (our writer may describe one typedef in several DIEs). */
const distinct = (rows: readonly string[]): string[] => [...new Set(rows)].sort()

/** The smallest of DW_FORM_data1/2/4 that holds the value: its size in bytes. */
const fixedWidth = (value: number): number => (value <= 0xff ? 1 : value <= 0xffff ? 2 : 4)

/** The alignments our reader finds in the unit's model: variables, and every type they reach. */
function modelAlignments(info: DebugInfo): string[] {
  const unit = info.units.find((u) => u.name === SOURCE)
  if (!unit) throw new Error(`no unit ${SOURCE}`)
  const rows: string[] = []
  const seen = new Set<DwarfType>()
  const visit = (t: DwarfType): void => {
    if (seen.has(t)) return
    seen.add(t)
    switch (t.kind) {
      case 'pointer':
        if (t.alignment !== undefined) rows.push(`pointer to ${typeText(t.to)} = ${t.alignment}`)
        return visit(t.to)
      case 'qualified':
        return visit(t.type)
      case 'array':
        if (t.alignment !== undefined) rows.push(`array of ${typeText(t.of)} = ${t.alignment}`)
        return visit(t.of)
      case 'typedef': {
        // The type it names is described with its own alignment, not the typedef's.
        const named = 'alignment' in t.type && t.type.alignment !== undefined ? ` (its ${t.type.kind}: ${t.type.alignment})` : ''
        if (t.alignment !== undefined) rows.push(`typedef ${t.name} = ${t.alignment}${named}`)
        return visit(t.type)
      }
      case 'struct':
      case 'union':
        if (t.alignment !== undefined) rows.push(`${t.kind} ${t.name ?? '<anon>'} = ${t.alignment}`)
        for (const m of t.members) {
          if (m.alignment !== undefined) rows.push(`${t.kind} ${t.name ?? '<anon>'}.${m.name ?? '<anon>'} = ${m.alignment}`)
          visit(m.type)
        }
        return
      case 'function':
        visit(t.returns)
        return t.params.forEach(visit)
      default:
        return
    }
  }
  const variables = [...unit.globals, ...unit.functions.flatMap((f) => [...f.params, ...f.locals])]
  for (const v of variables) {
    if (v.alignment !== undefined) rows.push(`variable ${v.name} = ${v.alignment}`)
    visit(v.type)
  }
  return distinct(rows)
}

describe('DW_AT_alignment: Memscape against gcc -O0 -g', () => {
  const { dir, ours, theirs } = buildPair(SOURCE, PROGRAM, { pie: false, stackProtector: 'none' }, gccFlagsFor(false, 'none'))
  const gccDies = alignedDies(join(dir, 'gcc', 'prog'))
  const ourDies = alignedDies(join(dir, 'memscape', 'prog'))

  it('the same DIEs carry DW_AT_alignment, with the same values', () => {
    const rows = (dies: readonly AlignedDie[]): string[] => distinct(dies.map((d) => `${d.die} = ${d.value}`))
    const expected = rows(gccDies)
    // What gcc decides, spot-checked: explicit requests and types made with one count, natural
    // alignments (struct lowered's x, packed_int's x, w_plain, the parameter p) do not.
    expect(expected).toEqual(expect.arrayContaining([
      'DW_TAG_structure_type prog.c.members = 32',
      'DW_TAG_member members.x = 16',
      'DW_TAG_structure_type prog.c.widened = 4',
      'DW_TAG_member squeezed.v = 1',
      'DW_TAG_typedef prog.c.block_t = 64',
      'DW_TAG_array_type prog.c. = 4',
      'DW_TAG_member anonymous. = 16',
      'DW_TAG_structure_type prog.c.late = 32',
      'DW_TAG_variable prog.c.w_lowered = 8',
      'DW_TAG_variable main.local = 16',
      'DW_TAG_member bit_below.b = 1',
      'DW_TAG_structure_type prog.c.bit_unnamed = 1',
      'DW_TAG_structure_type prog.c.bit_typed = 32',
      'DW_TAG_pointer_type prog.c. = 2',
      'DW_TAG_member pointers.i = 16',
    ]))
    expect(expected.filter((row) => /lowered\.x|packed_int|w_plain|twice\.p/.test(row))).toEqual([])
    expect(rows(ourDies)).toEqual(expected)
  })

  it('values take the smallest fixed data form, as gcc writes them', () => {
    for (const d of ourDies) expect({ ...d, width: fixedWidth(d.value) }).toEqual(d)
    expect(new Set(ourDies.map((d) => d.width))).toEqual(new Set([1, 2, 4]))
    // gcc shares a value that several DIEs of one abbreviation carry (DW_FORM_implicit_const,
    // which our writer never uses); where it does not, the form is ours.
    for (const d of gccDies) expect([0, fixedWidth(d.value)]).toContain(d.width)
  })

  it('gdb finds the same alignments and layouts', () => {
    const types = ['struct members', 'struct block', 'union word', 'struct tail', 'struct plain', 'struct natural', 'struct lowered', 'struct widened',
      'struct packed_member', 'struct squeezed', 'struct holder', 'struct nested', 'struct through_type', 'struct anonymous', 'union choice',
      'struct packed_int', 'struct late', 'block_t', 'anon_t', 'row_t', 'four', 'struct bit_request', 'struct bit_below', 'struct bit_unnamed',
      'struct bit_typed', 'struct pointers']
    const session = [
      ...types.map((t) => `print _Alignof(${t})`),
      ...['struct members', 'struct through_type', 'struct squeezed', 'struct anonymous', 'struct late', 'struct bit_request', 'struct bit_below',
        'struct bit_unnamed', 'struct bit_typed', 'struct pointers'].map((t) => `ptype/o ${t}`),
      'print (long)&g_block % 64',
      'print (long)&g_members.y % 32',
      'print (long)&g_late % 32',
      'print (long)&buffer % 32',
      'print (long)&p_lowered % 8',
      'print w_const',
      'whatis g_row',
      'ptype twice',
    ]
    const gccOut = gdbCommands(dir, './gcc/prog', session)
    expect(gccOut[session.indexOf('print _Alignof(struct block)')]).toMatch(/= 64$/)
    expect(gccOut[session.indexOf('print _Alignof(struct widened)')]).toMatch(/= 4$/)
    expect(gdbCommands(dir, './memscape/prog', session)).toEqual(gccOut)
  })

  it('both programs lay out and access the aligned bit-fields and pointers alike', () => {
    const output = run(join(dir, 'gcc', 'prog'), [])
    // The unnamed bit-field aligned to 8 puts `after` at byte 9.
    expect(output).toContain('unnamed: 00 00 00 00 00 00 00 00 00 02\n')
    expect(run(join(dir, 'memscape', 'prog'), [])).toBe(output)
  })

  it('our reader reads the same alignments from both programs', () => {
    const expected = modelAlignments(readDebugInfo(theirs))
    expect(expected).toEqual(expect.arrayContaining([
      'struct holder = 64',
      'struct holder.b = 64',
      'typedef huge = 65536',
      'array of typedef four=int:4:signed = 4',
      'union word = 16',
      'variable buffer = 32',
      'typedef iptr = 16',
      'typedef aptr = 16 (its pointer: 16)',
      'typedef block_t = 64 (its struct: 64)',
      'pointer to int:4:signed = 32',
    ]))
    expect(modelAlignments(readDebugInfo(ours))).toEqual(expected)
  })
})
