import type { Command } from 'commander';
import { EXIT, type ExitCode } from '../exit-codes.js';

export function demoCommand(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('demo')
    .description('the whole life cycle of migrations-example/ on an embedded PostgreSQL, narrated')
    .addHelpText('after', '\nExamples:\n  migrate demo\n  npm run demo')
    .action(async () => {
      const { runDemo } = await import('../demo/run-demo.js');
      await runDemo();
      setExit(EXIT.ok);
    });
}
