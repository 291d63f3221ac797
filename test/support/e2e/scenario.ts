/**
 * One browser test's cast: the people (browser contexts) and Node peers it opened, all closed
 * when the test ends, and the server's and pages' output attached to the error when it fails.
 */
import type { Browser } from 'playwright-core';
import { closePerson, createPerson, openEditorAs, type OpenOptions, type Person } from './editor-page.js';
import { createDoc, type CreatedDoc } from './api.js';
import { connectPeer, type NodePeer } from './node-peer.js';
import type { ServerProcess } from '../server-process.js';
import type { BrowserAndServer } from './fixture.js';

export class Scenario {
  readonly people: Person[] = [];
  readonly peers: NodePeer[] = [];

  constructor(
    readonly browser: Browser,
    readonly server: ServerProcess,
  ) {}

  /** The absolute URL of a path on the test server. */
  url(path: string): string {
    return this.server.url + path;
  }

  /** Creates a document on the server, empty or from `markdown` (see `createDoc`). */
  async newDoc(markdown?: string): Promise<CreatedDoc> {
    return createDoc(this.server.url, markdown);
  }

  /** Opens `path` as a new person (own browser context) called `name`. */
  async open(path: string, name: string, options?: OpenOptions): Promise<Person> {
    const person = await createPerson(this.browser, name, options);
    // Registered before anything can fail, so its errors are reported and its context closed.
    this.people.push(person);
    await openEditorAs(person, this.url(path), options);
    return person;
  }

  /** Connects a Node DocProvider to `docName`. */
  async peer(docName: string): Promise<NodePeer> {
    const peer = await connectPeer(this.server.url, docName);
    this.peers.push(peer);
    return peer;
  }

  /** Closes every person and peer; never throws. */
  async close(): Promise<void> {
    for (const peer of this.peers) {
      try {
        peer.close();
      } catch {
        // Cleanup goes on; a failing close must not hide the test's own result.
      }
    }
    await Promise.all(this.people.map((person) => closePerson(person)));
  }
}

/** Runs `body` with a fresh Scenario, closes it, and on failure adds what the server and pages said. */
export async function runScenario({ browser, server }: BrowserAndServer, body: (scenario: Scenario) => Promise<void>): Promise<void> {
  const scenario = new Scenario(browser, server);
  try {
    await body(scenario);
  } catch (error) {
    const problems = scenario.people.flatMap((person) => person.problems);
    const statuses = await Promise.all(
      scenario.people.map(async (person) => {
        const status = await person.page
          .locator('#status')
          .textContent({ timeout: 1_000 })
          .catch(() => '(no #status)');
        return `${person.name}: ${person.page.url()} status ${JSON.stringify(status)}`;
      }),
    );
    const details =
      `\n--- pages ---\n${statuses.join('\n')}` +
      `\n--- page problems (${problems.length}) ---\n${problems.slice(-30).join('\n')}` +
      `\n--- server output (tail) ---\n${server.log.slice(-8000)}`;
    if (error instanceof Error) {
      // The runner prints the stack, which already holds the original message.
      error.message += details;
      if (error.stack !== undefined) error.stack += details;
      throw error;
    }
    throw new Error(String(error) + details);
  } finally {
    await scenario.close();
  }
}
