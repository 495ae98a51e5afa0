import { execFileSync } from 'node:child_process';
import process from 'node:process';

/**
 * The CLI tests run the compiled `complyd` binary, as a user would. Build it once per test
 * run (incremental, so an unchanged tree costs a second or two).
 */
export default function globalSetup() {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
