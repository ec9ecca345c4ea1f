/**
 * A stand-in for the `vscode` module, enough to load and activate the extension outside VS
 * Code (unit tests and the activation benchmark). It records what the extension registers.
 * Install it before the extension is required: `installVscodeStub()`.
 */
import Module from 'node:module';
import { join } from 'node:path';

type Listener<T> = (e: T) => unknown;

class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  event = (listener: Listener<T>) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(e: T): void {
    for (const l of this.listeners) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

class Uri {
  constructor(readonly fsPath: string) {}
  static file(p: string): Uri {
    return new Uri(p);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(join(base.fsPath, ...parts));
  }
  toString(): string {
    return `file://${this.fsPath}`;
  }
}

export interface StubTreeView {
  provider: { getChildren(node?: unknown): unknown[]; getTreeItem(node: unknown): unknown; onDidChangeTreeData?: unknown };
  visible: boolean;
  selection: unknown[];
  setVisible(visible: boolean): void;
  /** What the user does to a node: VS Code asks its children, then says it expanded. */
  expand(node: unknown): void;
  collapse(node: unknown): void;
  message: string | undefined;
  description: string | undefined;
}

export interface StubStatusBarItem {
  text: string;
  tooltip: string;
  command: unknown;
  shown: boolean;
}

export interface StubRecord {
  commands: Map<string, (...args: unknown[]) => unknown>;
  treeViews: Map<string, StubTreeView>;
  statusBarItems: StubStatusBarItem[];
  executed: { command: string; args: unknown[] }[];
  messages: { level: 'info' | 'warn' | 'error'; text: string }[];
  logLines: string[];
  contextKeys: Map<string, unknown>;
  settings: Record<string, unknown>;
}

export function createVscodeStub(record: StubRecord) {
  const disposable = { dispose() {} };
  const channel = {
    info: (m: string) => record.logLines.push(`info ${m}`),
    warn: (m: string) => record.logLines.push(`warn ${m}`),
    error: (m: string) => record.logLines.push(`error ${m}`),
    debug: (m: string) => record.logLines.push(`debug ${m}`),
    trace: () => undefined,
    show: () => undefined,
    dispose: () => undefined,
  };
  const message = (level: 'info' | 'warn' | 'error') => async (text: string) => {
    record.messages.push({ level, text });
    return undefined;
  };
  return {
    EventEmitter,
    Uri,
    Disposable: class {
      constructor(private readonly f: () => void) {}
      dispose() {
        this.f();
      }
    },
    TreeItem: class {
      constructor(
        public label: string,
        public collapsibleState?: number,
      ) {}
    },
    ThemeIcon: class {
      constructor(
        public id: string,
        public color?: unknown,
      ) {}
    },
    ThemeColor: class {
      constructor(public id: string) {}
    },
    MarkdownString: class {
      constructor(public value: string) {}
    },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    ViewColumn: { Active: -1, One: 1 },
    ConfigurationTarget: { Global: 1, Workspace: 2 },
    l10n: { bundle: undefined, uri: undefined, t: (m: string) => m },
    env: { language: 'en', clipboard: { writeText: async () => undefined } },
    window: {
      createOutputChannel: () => channel,
      createTreeView: (id: string, options: { treeDataProvider: StubTreeView['provider'] }) => {
        const visibility = new EventEmitter<{ visible: boolean }>();
        const expanded = new EventEmitter<{ element: unknown }>();
        const collapsed = new EventEmitter<{ element: unknown }>();
        const view = {
          provider: options.treeDataProvider,
          visible: false,
          selection: [] as unknown[],
          onDidChangeVisibility: visibility.event,
          onDidExpandElement: expanded.event,
          onDidCollapseElement: collapsed.event,
          setVisible(visible: boolean) {
            view.visible = visible;
            visibility.fire({ visible });
          },
          expand(element: unknown) {
            options.treeDataProvider.getChildren(element);
            expanded.fire({ element });
          },
          collapse(element: unknown) {
            collapsed.fire({ element });
          },
          reveal: async () => undefined,
          dispose() {},
          message: undefined as string | undefined,
          description: undefined as string | undefined,
        };
        record.treeViews.set(id, view);
        return view;
      },
      createStatusBarItem: () => {
        const item = { text: '', tooltip: '', command: undefined as unknown, name: '', backgroundColor: undefined, shown: false, show() { item.shown = true; }, hide() { item.shown = false; }, dispose() {} };
        record.statusBarItems.push(item);
        return item;
      },
      showInformationMessage: message('info'),
      showWarningMessage: message('warn'),
      showErrorMessage: message('error'),
      showQuickPick: async () => undefined,
      showInputBox: async () => undefined,
      showOpenDialog: async () => undefined,
      withProgress: async (_o: unknown, task: (p: unknown, t: unknown) => unknown) => task({ report() {} }, { onCancellationRequested: () => disposable }),
      registerWebviewPanelSerializer: () => disposable,
    },
    commands: {
      registerCommand: (id: string, f: (...args: unknown[]) => unknown) => {
        if (record.commands.has(id)) throw new Error(`command ${id} registered twice`);
        record.commands.set(id, f);
        return { dispose: () => record.commands.delete(id) };
      },
      executeCommand: async (command: string, ...args: unknown[]) => {
        record.executed.push({ command, args });
        if (command === 'setContext') record.contextKeys.set(args[0] as string, args[1]);
        return undefined;
      },
    },
    workspace: {
      getConfiguration: () => ({ get: (key: string) => record.settings[key], update: async (key: string, value: unknown) => void (record.settings[key] = value) }),
      onDidChangeConfiguration: () => disposable,
      openTextDocument: async () => ({}),
      registerTextDocumentContentProvider: () => disposable,
    },
    authentication: { getSession: async () => undefined },
  };
}

export function newRecord(): StubRecord {
  return { commands: new Map(), treeViews: new Map(), statusBarItems: [], executed: [], messages: [], logLines: [], contextKeys: new Map(), settings: {} };
}

/** Makes `require('vscode')` return the stub (CommonJS loader hook). */
export function installVscodeStub(record: StubRecord = newRecord()): StubRecord {
  const stub = createVscodeStub(record);
  const M = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const original = M._load;
  M._load = function (request: string, parent: unknown, isMain: boolean) {
    return request === 'vscode' ? stub : original.call(this, request, parent, isMain);
  };
  return record;
}

export function fakeExtensionContext(extensionPath: string) {
  const memento = () => {
    const data = new Map<string, unknown>();
    return { get: (k: string) => data.get(k), update: async (k: string, v: unknown) => void data.set(k, v), keys: () => [...data.keys()] };
  };
  const secrets = new Map<string, string>();
  return {
    subscriptions: [] as { dispose(): unknown }[],
    extensionUri: Uri.file(extensionPath),
    extensionPath,
    globalState: memento(),
    workspaceState: memento(),
    secrets: {
      get: async (k: string) => secrets.get(k),
      store: async (k: string, v: string) => void secrets.set(k, v),
      delete: async (k: string) => void secrets.delete(k),
      onDidChange: new EventEmitter<unknown>().event,
    },
  };
}
