import type { ITheme } from '@xterm/xterm'

/** Matches theme.css; xterm needs concrete colours, not CSS variables. */
export const terminalTheme: ITheme = {
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
