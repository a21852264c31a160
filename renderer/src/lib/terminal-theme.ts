import type { ITheme } from '@xterm/xterm'
import type { ThemeName } from './theme.svelte'

/** Matches theme.css; xterm needs concrete colours, not CSS variables. */
const DARK: ITheme = {
  background: '#0f141b',
  foreground: '#c9d4df',
  cursor: '#4fb3ff',
  cursorAccent: '#0f141b',
  selectionBackground: 'rgba(79, 179, 255, 0.3)',
  black: '#1e2833',
  red: '#f0626a',
  green: '#56d364',
  yellow: '#e3b341',
  blue: '#6cb6ff',
  magenta: '#d2a8ff',
  cyan: '#4fd1e0',
  white: '#c9d4df',
  brightBlack: '#6b7b8c',
  brightRed: '#ff8087',
  brightGreen: '#7ee787',
  brightYellow: '#f2cc60',
  brightBlue: '#91cbff',
  brightMagenta: '#e2c5ff',
  brightCyan: '#7ee2ee',
  brightWhite: '#ffffff',
}

const LIGHT: ITheme = {
  background: '#fbfcfd',
  foreground: '#1d2731',
  cursor: '#0969da',
  cursorAccent: '#fbfcfd',
  selectionBackground: 'rgba(9, 105, 218, 0.22)',
  black: '#d3dae2',
  red: '#cf222e',
  green: '#1a7f37',
  yellow: '#9a6700',
  blue: '#0969da',
  magenta: '#8250df',
  cyan: '#0e7f8c',
  white: '#1d2731',
  brightBlack: '#56636f',
  brightRed: '#a40e26',
  brightGreen: '#116329',
  brightYellow: '#7d4e00',
  brightBlue: '#0550ae',
  brightMagenta: '#6639ba',
  brightCyan: '#0b5f69',
  brightWhite: '#000000',
}

export function terminalTheme(name: ThemeName): ITheme {
  return name === 'light' ? LIGHT : DARK
}
