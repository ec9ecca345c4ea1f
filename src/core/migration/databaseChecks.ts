/**
 * What every plan checks of its databases, whichever engine restores them: each source named
 * once, target names the instance can hold that collide neither with each other nor with a
 * database already there, and a blob folder of its own per database (the service restores
 * everything it finds in a folder). Problems are collected, not thrown: a plan reports all at once.
 */
import { expectArmId, type ArmId } from '../azure/armId';
import { blobFolderProblem, databaseCountProblem, targetDatabaseNameProblem } from '../naming';
import type { ServiceTier } from '../sku/miLimits';

/** An ARM id checked into `problems`: the id, or undefined when it is not one of this type. */
export function armIdInto(problems: string[], id: string, provider: string, type: string, what: string): ArmId | undefined {
  try {
    return expectArmId(id, provider, type, what);
  } catch (e) {
    problems.push((e as Error).message);
    return undefined;
  }
}

export class DatabaseChecks {
  private readonly existing: Set<string>;
  private readonly seenSource = new Set<string>();
  private readonly seenTarget = new Map<string, string>();
  private readonly seenFolder = new Map<string, string>();

  constructor(
    private readonly problems: string[],
    existingTargetDatabases: readonly string[] = [],
  ) {
    this.existing = new Set(existingTargetDatabases.map((n) => n.toLowerCase()));
  }

  /**
   * The checks of one plan's databases, starting with the whole: at least one, and room on the
   * instance beside what is there and what the start's other plans put on it.
   */
  static forPlan(problems: string[], plan: { databases: readonly unknown[]; existingTargetDatabases?: readonly string[]; alsoPlannedOnTarget?: number; targetTier?: ServiceTier }): DatabaseChecks {
    if (plan.databases.length === 0) problems.push('no database was chosen');
    const count = databaseCountProblem(plan.databases.length, (plan.existingTargetDatabases?.length ?? 0) + (plan.alsoPlannedOnTarget ?? 0), plan.targetTier);
    if (count) problems.push(count);
    return new DatabaseChecks(problems, plan.existingTargetDatabases);
  }

  /** Whether the entry is to be planned: a source name not seen before. */
  source(source: string | undefined): source is string {
    if (!source?.trim()) {
      this.problems.push('a source database name is empty');
      return false;
    }
    if (this.seenSource.has(source.toLowerCase())) {
      this.problems.push(`source database ${source} is listed twice`);
      return false;
    }
    this.seenSource.add(source.toLowerCase());
    return true;
  }

  /** The target name's rules: valid, not taken by another entry, not on the instance already. */
  target(source: string, targetName: string): void {
    const tp = targetDatabaseNameProblem(targetName);
    if (tp) this.problems.push(`${source}: ${tp}`);
    const other = this.seenTarget.get(targetName.toLowerCase());
    if (other) this.problems.push(`${source} and ${other} would both be restored as ${targetName}`);
    this.seenTarget.set(targetName.toLowerCase(), source);
    if (this.existing.has(targetName.toLowerCase())) this.problems.push(`a database named ${targetName} already exists on the target instance: choose another target name`);
  }

  /** The blob folder's rules: a valid name, and no other database's (`need` says why, in the engine's words). */
  folder(source: string, folder: string, need: string): void {
    const fp = blobFolderProblem(folder);
    if (fp) this.problems.push(`${source}: ${fp}`);
    const sharing = this.seenFolder.get(folder.toLowerCase());
    if (sharing) this.problems.push(`${source} and ${sharing} would share the blob folder "${folder}": ${need}`);
    this.seenFolder.set(folder.toLowerCase(), source);
  }
}
