/** SQL Server Agent job steps in subsystems Managed Instance does not run. */
import { docFor, plural, TSQL_DIFFERENCES_DOC, type Rule } from '../rule';

function subsystemRule(id: string, subsystem: string, title: string, recommendation: string, origin: Rule['origin'] = 'managed-instance-rule'): Rule {
  return {
    id,
    title,
    level: 'instance',
    category: 'warning',
    origin,
    probes: ['server.jobSteps'],
    recommendation,
    docs: origin === 'managed-instance-rule' ? docFor(id) : TSQL_DIFFERENCES_DOC,
    evaluate(facts) {
      const steps = facts.jobSteps.filter((s) => s.subsystem.toUpperCase() === subsystem.toUpperCase());
      if (!steps.length) return [];
      return [{
        message: `${plural(steps.length, `${subsystem} job step`)} in ${plural(new Set(steps.map((s) => s.job)).size, 'job')}.`,
        objects: steps.map((s) => ({
          type: 'JOB_STEP',
          name: `${s.job} / step ${s.stepId} (${s.stepName})`,
          ...(!s.enabled && { detail: 'job disabled' }),
        })),
      }];
    },
  };
}

const removeOrVm = 'Remove the job step or the job, or use SQL Server on an Azure VM.';

export const AGENT_RULES: Rule[] = [
  subsystemRule('AnalysisCommandJob', 'ANALYSISCOMMAND', 'Analysis Services command job steps', removeOrVm),
  subsystemRule('AnalysisQueryJob', 'ANALYSISQUERY', 'Analysis Services query job steps', removeOrVm),
  subsystemRule('MergeJob', 'Merge', 'Merge Agent job steps', removeOrVm),
  subsystemRule('PowerShellJob', 'PowerShell', 'PowerShell job steps', 'Managed Instance runs no PowerShell job steps: move the scripts to Azure Automation, or use SQL Server on an Azure VM.'),
  subsystemRule('QueueReaderJob', 'QueueReader', 'Queue Reader Agent job steps', removeOrVm),
  subsystemRule('CmdExecJob', 'CmdExec', 'Operating system (CmdExec) job steps',
    'Managed Instance runs no CmdExec job steps: move the commands to Azure Automation or an Azure Function, or use SQL Server on an Azure VM.', 'managed-instance-limit'),
];
