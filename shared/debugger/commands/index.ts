// Every debugger command, one file each. A new command is one new file plus one line here.

import type { Command } from '../command'
import { advanceCommand } from './advance'
import { arenaCommand } from './arena'
import { aslrCommand } from './aslr'
import { asmCommand } from './asm'
import { awatchCommand } from './awatch'
import { backtraceCommand } from './backtrace'
import { BinsCommand } from './bins'
import { breakCommand } from './break'
import { callCommand } from './call'
import { canaryCommand } from './canary'
import { checksecCommand } from './checksec'
import { completeCommand } from './complete'
import { conditionCommand } from './condition'
import { contextCommand } from './context'
import { continueCommand } from './continue'
import { cyclicCommand } from './cyclic'
import { deleteCommand } from './delete'
import { disableCommand } from './disable'
import { disassembleCommand } from './disassemble'
import { displayCommand } from './display'
import { distanceCommand } from './distance'
import { downCommand } from './down'
import { echoCommand } from './echo'
import { enableCommand } from './enable'
import { explainCommand } from './explain'
import { fastBinsCommand } from './fastbins'
import { fileCommand } from './file'
import { finishCommand } from './finish'
import { frameCommand } from './frame'
import { gotoCommand } from './goto'
import { heapCommand } from './heap'
import { helpCommand } from './help'
import { hexdumpCommand } from './hexdump'
import { ignoreCommand } from './ignore'
import { infoCommand } from './info'
import { inputCommand } from './input'
import { jumpCommand } from './jump'
import { killCommand } from './kill'
import { lastWriteCommand } from './last-write'
import { largeBinsCommand } from './largebins'
import { listCommand } from './list'
import { mallocChunkCommand } from './malloc_chunk'
import { nearpcCommand } from './nearpc'
import { nextCommand } from './next'
import { nextiCommand } from './nexti'
import { outputCommand } from './output'
import { patchCommand } from './patch'
import { piebaseCommand } from './piebase'
import { printCommand } from './print'
import { provenanceCommand } from './provenance'
import { ptypeCommand } from './ptype'
import { retaddrCommand } from './retaddr'
import { returnCommand } from './return'
import { reverseContinueCommand } from './reverse-continue'
import { reverseFinishCommand } from './reverse-finish'
import { reverseNextCommand } from './reverse-next'
import { reverseNextiCommand } from './reverse-nexti'
import { reverseStepCommand } from './reverse-step'
import { reverseStepiCommand } from './reverse-stepi'
import { runCommand } from './run'
import { rwatchCommand } from './rwatch'
import { searchCommand } from './search'
import { setCommand } from './set'
import { showCommand } from './show'
import { smallBinsCommand } from './smallbins'
import { stackCommand } from './stack'
import { startCommand } from './start'
import { startiCommand } from './starti'
import { stepCommand } from './step'
import { stepiCommand } from './stepi'
import { tbreakCommand } from './tbreak'
import { tcacheBinsCommand } from './tcachebins'
import { telescopeCommand } from './telescope'
import { tryFreeCommand } from './try_free'
import { undisplayCommand } from './undisplay'
import { unsortedBinCommand } from './unsortedbin'
import { untilCommand } from './until'
import { upCommand } from './up'
import { versionCommand } from './version'
import { visHeapChunksCommand } from './vis_heap_chunks'
import { vmmapCommand } from './vmmap'
import { watchCommand } from './watch'
import { whatisCommand } from './whatis'
import { whenCommand } from './when'
import { xCommand } from './x'
import { xinfoCommand } from './xinfo'

export const builtinCommands: readonly Command[] = [
  advanceCommand,
  arenaCommand,
  aslrCommand,
  asmCommand,
  awatchCommand,
  backtraceCommand,
  BinsCommand,
  breakCommand,
  callCommand,
  canaryCommand,
  checksecCommand,
  completeCommand,
  conditionCommand,
  contextCommand,
  continueCommand,
  cyclicCommand,
  deleteCommand,
  disableCommand,
  disassembleCommand,
  displayCommand,
  distanceCommand,
  downCommand,
  echoCommand,
  enableCommand,
  explainCommand,
  fastBinsCommand,
  fileCommand,
  finishCommand,
  frameCommand,
  gotoCommand,
  heapCommand,
  helpCommand,
  hexdumpCommand,
  ignoreCommand,
  infoCommand,
  inputCommand,
  jumpCommand,
  killCommand,
  lastWriteCommand,
  largeBinsCommand,
  listCommand,
  mallocChunkCommand,
  nearpcCommand,
  nextCommand,
  nextiCommand,
  outputCommand,
  patchCommand,
  piebaseCommand,
  printCommand,
  provenanceCommand,
  ptypeCommand,
  retaddrCommand,
  returnCommand,
  reverseContinueCommand,
  reverseFinishCommand,
  reverseNextCommand,
  reverseNextiCommand,
  reverseStepCommand,
  reverseStepiCommand,
  runCommand,
  rwatchCommand,
  searchCommand,
  setCommand,
  showCommand,
  smallBinsCommand,
  stackCommand,
  startCommand,
  startiCommand,
  stepCommand,
  stepiCommand,
  tbreakCommand,
  tcacheBinsCommand,
  telescopeCommand,
  tryFreeCommand,
  undisplayCommand,
  unsortedBinCommand,
  untilCommand,
  upCommand,
  versionCommand,
  visHeapChunksCommand,
  vmmapCommand,
  watchCommand,
  whatisCommand,
  whenCommand,
  xCommand,
  xinfoCommand,
]
