/** Hands a file the station sent to the browser's own download, in both shells. */
export function saveFile(file: Blob, fileName: string): void {
  const href = URL.createObjectURL(file);
  const anchor = document.createElement('a');
  anchor.href = href;
  anchor.download = fileName;
  anchor.hidden = true;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // Revoked a while later: the download may still be reading the Blob after the click returns.
  window.setTimeout(() => URL.revokeObjectURL(href), 30_000);
}
