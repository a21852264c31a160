// Every debugger command, one file each. A new command is one new file plus one line here.

import type { Command } from '../command'
import { advanceCommand } from './advance'
import { arenaCommand } from './arena'
import { awatchCommand } from './awatch'
import { backtraceCommand } from './backtrace'
import { BinsCommand } from './bins'
import { breakCommand } from './break'
import { checksecCommand } from './checksec'
import { completeCommand } from './complete'
import { conditionCommand } from './condition'
import { continueCommand } from './continue'
import { cyclicCommand } from './cyclic'
import { deleteCommand } from './delete'
import { disableCommand } from './disable'
import { displayCommand } from './display'
import { downCommand } from './down'
import { echoCommand } from './echo'
import { enableCommand } from './enable'
import { explainCommand } from './explain'
import { fastBinsCommand } from './fastbins'
import { finishCommand } from './finish'
import { frameCommand } from './frame'
import { gotoCommand } from './goto'
import { heapCommand } from './heap'
import { helpCommand } from './help'
import { ignoreCommand } from './ignore'
import { infoCommand } from './info'
import { inputCommand } from './input'
import { killCommand } from './kill'
import { lastWriteCommand } from './last-write'
import { largeBinsCommand } from './largebins'
import { mallocChunkCommand } from './malloc_chunk'
import { nextCommand } from './next'
import { nextiCommand } from './nexti'
import { outputCommand } from './output'
import { printCommand } from './print'
import { provenanceCommand } from './provenance'
import { ptypeCommand } from './ptype'
import { reverseContinueCommand } from './reverse-continue'
import { reverseStepiCommand } from './reverse-stepi'
import { runCommand } from './run'
import { rwatchCommand } from './rwatch'
import { setCommand } from './set'
import { smallBinsCommand } from './smallbins'
import { startCommand } from './start'
import { startiCommand } from './starti'
import { stepCommand } from './step'
import { stepiCommand } from './stepi'
import { tbreakCommand } from './tbreak'
import { tcacheBinsCommand } from './tcachebins'
import { tryFreeCommand } from './try_free'
import { undisplayCommand } from './undisplay'
import { unsortedBinCommand } from './unsortedbin'
import { untilCommand } from './until'
import { upCommand } from './up'
import { versionCommand } from './version'
import { visHeapChunksCommand } from './vis_heap_chunks'
import { watchCommand } from './watch'
import { whatisCommand } from './whatis'
import { whenCommand } from './when'
import { xCommand } from './x'

export const builtinCommands: readonly Command[] = [
  advanceCommand,
  arenaCommand,
  awatchCommand,
  backtraceCommand,
  BinsCommand,
  breakCommand,
  checksecCommand,
  completeCommand,
  conditionCommand,
  continueCommand,
  cyclicCommand,
  deleteCommand,
  disableCommand,
  displayCommand,
  downCommand,
  echoCommand,
  enableCommand,
  explainCommand,
  fastBinsCommand,
  finishCommand,
  frameCommand,
  gotoCommand,
  heapCommand,
  helpCommand,
  ignoreCommand,
  infoCommand,
  inputCommand,
  killCommand,
  lastWriteCommand,
  largeBinsCommand,
  mallocChunkCommand,
  nextCommand,
  nextiCommand,
  outputCommand,
  printCommand,
  provenanceCommand,
  ptypeCommand,
  reverseContinueCommand,
  reverseStepiCommand,
  runCommand,
  rwatchCommand,
  setCommand,
  smallBinsCommand,
  startCommand,
  startiCommand,
  stepCommand,
  stepiCommand,
  tbreakCommand,
  tcacheBinsCommand,
  tryFreeCommand,
  undisplayCommand,
  unsortedBinCommand,
  untilCommand,
  upCommand,
  versionCommand,
  visHeapChunksCommand,
  watchCommand,
  whatisCommand,
  whenCommand,
  xCommand,
]
