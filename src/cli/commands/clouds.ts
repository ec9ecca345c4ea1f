/** `sqlmig clouds`: the clouds sqlmig knows, and the one a --cloud-file describes. */
import { KNOWN_CLOUDS, type Cloud } from '../../core/azure/cloud';
import { table } from '../../core/text';
import { CLOUD_OPTIONS, cloudFrom, printJson, str, sandboxExample, SANDBOX_CLOUD } from '../azureArgs';
import { EXIT_OK, type Command } from '../command';

function describe(c: Cloud) {
  // Never the token: the cloud file may carry one.
  return {
    name: c.name,
    displayName: c.displayName,
    armEndpoint: c.armEndpoint,
    armScope: c.armScope,
    authorityHost: c.authorityHost,
    storageSuffix: c.storageSuffix,
    ...(c.portalUrl && { portalUrl: c.portalUrl }),
    ...(c.tenantId && { tenantId: c.tenantId }),
    ...(c.subscriptionId && { subscriptionId: c.subscriptionId }),
    signIn: c.accessToken ? 'token from the cloud file' : 'Microsoft Entra ID',
  };
}

export const clouds: Command = {
  name: ['clouds'],
  summary: 'List the Azure clouds sqlmig can use (and check a --cloud-file)',
  usage: 'sqlmig clouds [--cloud NAME | --cloud-file PATH] [--json]',
  help: `Lists Azure public, Azure US Government and Azure China with their Resource Manager and
sign-in endpoints. With --cloud-file, reads and checks a custom cloud description (an Azure
Stack Hub, or the local sandbox's file) and shows it; with --cloud, shows that one cloud.

A cloud file is JSON: {"name", "armEndpoint", "armScope"?, "authorityHost"?, "storageSuffix"?,
"portalUrl"?, "tenantId"?, "subscriptionId"?, "accessToken"?}. Plain http is accepted only
for this machine's loopback address. The token, if any, is never printed.

${sandboxExample([
  `sqlmig clouds ${SANDBOX_CLOUD}`,
])}

Exit code: 0, or 2 when the cloud name or file is wrong.`,
  options: { ...CLOUD_OPTIONS },
  async run(values, _positionals, io) {
    const list = str(values, 'cloud') || str(values, 'cloud-file') ? [await cloudFrom(values)] : [...KNOWN_CLOUDS];
    if (values.json) {
      printJson(io, { clouds: list.map(describe) });
      return EXIT_OK;
    }
    io.out(table([['Name', 'Display name', 'Resource Manager', 'Sign-in'], ...list.map((c) => [c.name, c.displayName, c.armEndpoint, c.accessToken ? '(token in file)' : c.authorityHost])], ''));
    return EXIT_OK;
  },
};
