/**
 * Reading the backup container with the target instance's managed identity, for both engines
 * (the Log Replay Service's storageContainerIdentity, the migration service's authType): the
 * instance must have one, and it needs Storage Blob Data Reader on the storage account. The
 * first is checked here (ARM reports the identity); the second cannot be seen without reading
 * role assignments, so it is said, with the command that grants it.
 */

export interface IdentityAccess {
  /** Set when the instance has no identity: nothing should start. */
  problem?: string;
  /** What to make sure of otherwise. */
  warning?: string;
}

export function managedIdentityAccess(
  instance: { name: string; resourceGroup: string; identity?: { type: string; principalId?: string } },
  storageAccountId: string,
  alternative: string,
): IdentityAccess {
  const grant = (principal: string) => `az role assignment create --assignee ${principal} --role "Storage Blob Data Reader" --scope ${storageAccountId}`;
  const id = instance.identity;
  if (!id) {
    return {
      problem:
        `managed instance ${instance.name} has no managed identity to read the container with: turn on its system-assigned identity ` +
        `(az sql mi update --resource-group ${instance.resourceGroup} --name ${instance.name} --assign-identity), then grant it Storage Blob Data Reader ` +
        `on the storage account (${grant('PRINCIPAL_ID')}); ${alternative}`,
    };
  }
  return {
    warning:
      `the instance reads the container with its managed identity${id.principalId ? ` (${id.principalId})` : ''}, which needs Storage Blob Data Reader on the storage account; ` +
      `role assignments cannot be read from here: if it is not granted, ${grant(id.principalId ?? 'PRINCIPAL_ID')}`,
  };
}
