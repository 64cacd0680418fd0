// Loaded with NODE_OPTIONS=--import: makes the packages named in
// PHASEGATE_TEST_HIDE (comma-separated; their scoped platform packages too)
// unresolvable, as in an install without them.
import { register } from 'node:module';

register('./hide-packages-hooks.mjs', import.meta.url, { data: { hidden: (process.env['PHASEGATE_TEST_HIDE'] ?? '').split(',').filter(Boolean) } });
