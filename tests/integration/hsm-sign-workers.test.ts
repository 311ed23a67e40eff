// A signing worker that cannot run fails its jobs with a code, and neither later signs nor
// close() hang on it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKeyStoreError } from '../../hsm';
import { SignWorkers } from '../../hsm/sign-workers';

describe('signing workers', () => {
  it('fail every job with HSM_FAILURE once their worker is gone, and close promptly', async () => {
    const workers = new SignWorkers('/nonexistent/libpkcs11.so', [Buffer.alloc(8)]);
    const job = () => workers.sign(Buffer.alloc(8), { mechanism: 0x1041 }, Buffer.alloc(32));
    for (let i = 0; i < 3; i += 1) {
      await assert.rejects(job(), (error: unknown) => isKeyStoreError(error) && error.code === 'HSM_FAILURE');
    }
    await workers.close();
    await assert.rejects(job(), (error: unknown) => isKeyStoreError(error) && error.code === 'HSM_FAILURE');
  });
});
