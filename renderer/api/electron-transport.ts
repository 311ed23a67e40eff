import type { PreloadApi } from '../../preload/contract';
import type { FileAnswer, Transport } from './transport';

declare global {
  interface Window {
    trustline?: PreloadApi;
  }
}

function isFileValue(
  answer: unknown,
): answer is { ok: true; value: { fileName: string; bytes: Uint8Array<ArrayBuffer> } } {
  if (typeof answer !== 'object' || answer === null || !('ok' in answer) || answer.ok !== true) return false;
  const value = 'value' in answer ? answer.value : null;
  return (
    typeof value === 'object' &&
    value !== null &&
    'fileName' in value &&
    typeof value.fileName === 'string' &&
    'bytes' in value &&
    value.bytes instanceof Uint8Array
  );
}

export function electronTransport(api: PreloadApi): Transport {
  return {
    kind: 'electron',
    call: (name, input, session) => api.call(name, input, session),
    subscribe: (listener) => api.on(listener),
    async upload(file, session, onProgress) {
      // IPC takes the bytes in one message: there is no progress to tell until it is all there.
      const bytes = new Uint8Array(await file.arrayBuffer());
      const answer = await api.upload(bytes, session);
      onProgress?.(1);
      return answer;
    },
    async jobResult(jobId, session, passcode): Promise<FileAnswer> {
      const answer = await (passcode === undefined
        ? api.jobResult(jobId, session)
        : api.jobResult(jobId, session, passcode));
      if (isFileValue(answer)) {
        const type = passcode === undefined ? 'application/zip' : 'application/pkcs7-mime';
        return { file: new Blob([answer.value.bytes], { type }), fileName: answer.value.fileName };
      }
      return { answer };
    },
  };
}
