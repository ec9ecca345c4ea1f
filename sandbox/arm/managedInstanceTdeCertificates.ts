/**
 * Microsoft.Sql: uploading a TDE certificate to a managed instance (ManagedInstanceTdeCertificates_Create),
 * a long-running operation answered 202 with an Azure-AsyncOperation URL, and that URL's status
 * resource. The body is checked as the request arrives (tdeCertificates.ts); the certificate
 * is on the instance once the operation succeeds. The body holds a private key and its
 * password: nothing here keeps or echoes it.
 */
import { asyncHeaders, finishLater, requireManagedInstance, requireSubscription, type Emulator } from './emulator';
import { apiVersionOf, ArmError, badRequest, notFound, type ArmRequest, type ArmResponse } from './http';
import { route } from './router';
import { managedInstanceId } from './sql';
import { startTdeCertificateUpload, TDE_CERTIFICATE_API_VERSIONS, TDE_CERTIFICATES_ROUTE } from './tdeCertificates';

/** Installing a certificate takes the instance a little while (simulated seconds). */
const INSTALL_SECONDS = 5;

ManagedInstanceTdeCertificates_Create.route = route('POST', TDE_CERTIFICATES_ROUTE, TDE_CERTIFICATE_API_VERSIONS);
export function ManagedInstanceTdeCertificates_Create(emu: Emulator, req: ArmRequest): ArmResponse {
  const mi = requireManagedInstance(emu, req);
  if (mi.state.toLowerCase() !== 'ready') throw badRequest('ManagedInstanceStoppingOrStopped', 'Conflicting operation submitted while instance is in stopping/stopped state');
  const started = startTdeCertificateUpload(emu.tdeCertificates, managedInstanceId(emu, mi), req.body, () => emu.clock.date());
  if (!started.accepted) throw new ArmError(started.error.status, started.error.code, started.error.message);
  const op = emu.longRunning.start(`/subscriptions/${emu.world.subscriptionId}/providers/Microsoft.Sql/locations/${mi.location}/tdeCertAzureAsyncOperation`, apiVersionOf(req));
  finishLater(emu, op, INSTALL_SECONDS, started.complete);
  return { status: 202, headers: asyncHeaders(emu, op) };
}

ManagedInstanceTdeCertAzureAsyncOperation_Get.route = route(
  'GET',
  '/subscriptions/{subscriptionId}/providers/Microsoft.Sql/locations/{location}/tdeCertAzureAsyncOperation/{operationId}',
  TDE_CERTIFICATE_API_VERSIONS,
  "ARM's polling resource (Azure-AsyncOperation) of TDE certificate uploads",
);
export function ManagedInstanceTdeCertAzureAsyncOperation_Get(emu: Emulator, req: ArmRequest): ArmResponse {
  requireSubscription(emu, req);
  const op = emu.longRunning.get(req.params.operationId!);
  if (!op) throw notFound('Microsoft.Sql/locations/tdeCertAzureAsyncOperation', req.params.operationId!);
  return { status: 200, body: emu.longRunning.body(op) };
}
