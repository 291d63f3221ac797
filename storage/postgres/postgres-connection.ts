/** Connection strings in messages: where the server is, never the password. */

/** `host:port/database as user`, never the password; rejects strings that are not postgres URLs. */
export function describeConnection(connectionString: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new Error('Invalid PostgreSQL connection string: expected postgres://user:password@host:port/database.');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`Invalid PostgreSQL connection string: the scheme is ${url.protocol}, expected postgres: or postgresql:.`);
  }
  const user = url.username === '' ? '' : ` as ${decodeURIComponent(url.username)}`;
  return `${url.hostname || 'localhost'}:${url.port || '5432'}${url.pathname}${user}`;
}

/** Removes the password from a message, in case a driver error ever echoes it. */
export function redactPassword(message: string, connectionString: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(connectionString).password);
  } catch {
    return message;
  }
  return password === '' ? message : message.split(password).join('***');
}
