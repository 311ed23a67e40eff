import type { QaReport } from '../../../preload/contract';

/** Saves a report the station sent as base64 through the browser's own download, in both shells. */
export function downloadReport(report: QaReport): void {
  const binary = atob(report.contentBase64);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  downloadBlob(new Blob([bytes], { type: report.mediaType }), report.fileName);
}

/** Saves text the station sent (a CSV export) as a file. */
export function downloadText(text: string, fileName: string, mediaType: string): void {
  downloadBlob(new Blob([text], { type: mediaType }), fileName);
}

function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The click has handed the Blob to the download; revoking later lets slow browsers finish reading it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
