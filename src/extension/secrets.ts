/**
 * Secrets the user chose to keep (a source SQL password): only in VS Code's SecretStorage,
 * under namespaced keys, and every value read or written is taught to the log's redactor.
 */
import type * as vscode from 'vscode';
import type { Redactor } from './redact';

export class SecretStore {
  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly redactor: Redactor,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const value = await this.storage.get(key);
    this.redactor.add(value);
    return value;
  }

  async store(key: string, value: string): Promise<void> {
    this.redactor.add(value);
    await this.storage.store(key, value);
  }

  async delete(key: string): Promise<void> {
    await this.storage.delete(key);
  }
}
