/** Writes text and waits for 'drain' when the stream's buffer is full (large outputs stay in bounded memory). */
export function writeOut(stream: NodeJS.WritableStream, text: string): Promise<void> | void {
  if (stream.write(text)) return;
  return new Promise((resolve) => stream.once('drain', () => resolve()));
}
