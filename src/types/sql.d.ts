// SQL files are imported as text: tsup's `.sql` loader, and the plugin in vitest.config.ts.
declare module '*.sql' {
  const text: string;
  export default text;
}
