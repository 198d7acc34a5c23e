// Trust for tests: a project a test makes is the test's own code, so the helpers that make one trust it through the
// app's own function (core/project/trust.ts), as `autoresearch init` does for a user. The approval goes to the
// data folder the CLI reads by default (AUTORESEARCH_DATA_DIR, else ~/.autoresearch-studio). A studio or server
// with a data folder of its own gets that folder's trust/ linked to the same place (linkTestTrust), so a project
// trusted here is trusted there, and an approval given there (the trust panel) is seen by the CLI.
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { dataDir } from '../../src/core/gpu/lease.js';
import { TRUST_DIR, trustProjectSync } from '../../src/core/project/trust.js';

/** Where the tests' approvals are kept: the trust folder of the CLI's default data folder. */
export const testTrustDir = () => path.join(dataDir(process.env), TRUST_DIR);

/** Trust `dir` as it is now (its config and git config); call it again after changing what it runs. */
export function trustForTest(dir: string, data: string = dataDir(process.env)): void {
  trustProjectSync(data, dir);
}

/** Make `data` (a studio's or server's own data folder) share the tests' approvals. */
export function linkTestTrust(data: string): string {
  const link = path.join(data, TRUST_DIR);
  if (existsSync(link)) return data;
  mkdirSync(testTrustDir(), { recursive: true, mode: 0o700 });
  mkdirSync(data, { recursive: true });
  symlinkSync(testTrustDir(), link);
  return data;
}
