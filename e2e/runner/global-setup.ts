import type { TestProject } from 'vitest/node';
import { startApp, type ServerProcess } from './server-process.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
  }
}

let app: ServerProcess | null = null;

/** One app server (npm start) for the whole end-to-end run. */
export async function setup(project: TestProject): Promise<void> {
  app = await startApp();
  console.log(`[e2e] app served by npm start at ${app.url}`);
  project.provide('baseURL', app.url);
}

export async function teardown(): Promise<void> {
  await app?.stop();
}
