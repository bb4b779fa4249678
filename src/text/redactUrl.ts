// A connection URL fit for logs and messages: the password replaced, the rest (scheme, user, host,
// database) kept so the reader knows which server was meant.

export function redactUrlPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}
