// The window's theme: dark by default (calm chrome, bright content), light on request;
// remembered, and applied as data-theme so theme.css switches every colour at once.

export type ThemeName = 'dark' | 'light'

const KEY = 'memscape.theme'

class ThemeChoice {
  current = $state<ThemeName>('dark')

  constructor() {
    const stored = typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY)
    if (stored === 'light' || stored === 'dark') this.current = stored
  }

  apply(): void {
    document.documentElement.dataset.theme = this.current
  }

  toggle(): void {
    this.current = this.current === 'dark' ? 'light' : 'dark'
    localStorage.setItem(KEY, this.current)
    this.apply()
  }
}

export const theme = new ThemeChoice()
