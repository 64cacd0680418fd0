/** The CLI's pieces the library entry point re-exports. */
export { connect } from './context.js';
