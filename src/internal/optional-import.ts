/**
 * `import()` of an optional peer dependency by name, resolved at run time. The specifier is a
 * variable and the magic comments tell webpack, Turbopack and Vite to leave it to the runtime,
 * so a bundle of an entry that never calls it does not pull the peer (or its Node built-ins).
 */
export const importOptional = (specifier: string): Promise<Record<string, unknown>> =>
  import(/* webpackIgnore: true */ /* @vite-ignore */ specifier) as Promise<Record<string, unknown>>;
