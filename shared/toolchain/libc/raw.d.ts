// Vite's `?raw` imports (the file's text as a string), used for the libc sources. vitest and
// electron-vite both implement them; the project's tsconfig does not load "vite/client".
declare module '*?raw' {
  const text: string
  export default text
}
