import { pauseOrResume } from './pause.js';

/** `migrate resume <id>`: the other half of `pause`, sharing its code. */
export const resumeCommand = pauseOrResume('resume', false);
