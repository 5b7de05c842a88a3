/** The ntfy publish URL: `{server}/{topic}`. */
export function ntfyUrl(server: string, topic: string): string {
  return `${server.replace(/\/+$/, '')}/${topic}`;
}
