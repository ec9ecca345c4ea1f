/**
 * Generated server profiles for scale: many databases, each with a realistic amount of code
 * (procedures, views, functions) of which a few hit assessment rules. Deterministic for a given
 * size, so runs compare.
 */
import type { ProfileDatabase, ServerProfile } from '../tds/profile';

const BODIES = [
  (i: number) => `SELECT o.OrderId, o.CustomerId, SUM(l.Amount) AS Total\nFROM dbo.Orders AS o JOIN dbo.OrderLines AS l ON l.OrderId = o.OrderId\nWHERE o.OrderDate >= DATEADD(day, -${i % 90}, GETDATE())\nGROUP BY o.OrderId, o.CustomerId;`,
  (i: number) => `UPDATE dbo.Inventory SET Quantity = Quantity - @qty WHERE ItemId = @item AND WarehouseId = ${i % 17};\nIF @@ROWCOUNT = 0 THROW 50001, 'Item not found', 1;`,
  (i: number) => `INSERT INTO dbo.AuditLog (EventTime, EventType, Detail)\nSELECT SYSUTCDATETIME(), N'price-change', CONCAT(ItemId, ':', NewPrice) FROM inserted; -- trigger ${i}`,
  (i: number) => `SELECT c.CustomerId, c.Name, x.LastOrder\nFROM dbo.Customers AS c\nOUTER APPLY (SELECT MAX(OrderDate) AS LastOrder FROM dbo.Orders WHERE CustomerId = c.CustomerId) AS x\nWHERE c.Region = ${i % 12};`,
];

/** A few modules per database use something a rule flags, as real estates do. */
const FLAGGED = [
  "EXEC master.dbo.xp_cmdshell 'dir D:\\exports'",
  "BULK INSERT dbo.Staging FROM 'D:\\feeds\\daily.csv' WITH (FIELDTERMINATOR = ',')",
  "RAISERROR 50001 'Legacy error'",
  'SELECT * FROM dbo.Orders WITH (FASTFIRSTROW)',
];

export function manyDatabasesProfile(databases: number, modulesPerDatabase = 120): ServerProfile {
  const dbs: ProfileDatabase[] = [];
  for (let d = 0; d < databases; d++) {
    const name = `App${String(d).padStart(3, '0')}`;
    const modules = Array.from({ length: modulesPerDatabase }, (_, m) => {
      const body = m < FLAGGED.length && d % 3 === 0 ? FLAGGED[(d + m) % FLAGGED.length]! : BODIES[(d + m) % BODIES.length]!(d * 1000 + m);
      return {
        name: `usp_${name}_${String(m).padStart(3, '0')}`,
        definition: `CREATE PROCEDURE dbo.usp_${name}_${m}\n  @item int = NULL, @qty int = NULL\nAS\nSET NOCOUNT ON;\n${body}\n${'-- maintenance notes\n'.repeat(m % 5)}`,
      };
    });
    dbs.push({
      name,
      recoveryModel: d % 10 === 9 ? 'SIMPLE' : 'FULL',
      compatibilityLevel: d % 25 === 0 ? 100 : 150,
      modules,
      files: [{ name, type: 'ROWS', sizeMb: 2048 + d * 37 }, { name: `${name}_log`, type: 'LOG', sizeMb: 512 }],
      tables: Array.from({ length: 40 }, (_, t) => ({ name: `Table${t}`, columns: ['Id', 'Name', t === 7 && d % 7 === 0 ? 'NEXT' : 'Value'] })),
      users: d % 4 === 0 ? [{ name: `CONTOSO\\app${d}`, type: 'WINDOWS_USER' as const }] : [],
      ...(d % 50 === 0 && { assemblies: [{ name: `Helpers${d}`, permissionSet: 'SAFE' as const }] }),
      backups: [
        { type: 'D', start: '2026-11-01T01:00:00', finish: '2026-11-01T01:20:00', checksum: d % 8 !== 0, compressed: true },
        { type: 'L', start: '2026-11-01T02:00:00', finish: '2026-11-01T02:00:30', checksum: true, compressed: true },
        { type: 'L', start: '2026-11-01T02:15:00', finish: '2026-11-01T02:15:30', checksum: true, compressed: true },
      ],
    });
  }
  return {
    server: { name: 'SQLBIG01', version: '15.0.4298.1', productLevel: 'RTM', updateLevel: 'CU16', edition: 'Enterprise Edition (64-bit)' },
    configurations: { 'xp_cmdshell': 1, 'clr enabled': 1 },
    linkedServers: [{ name: 'REPORTSRV', provider: 'SQLNCLI11' }],
    jobs: Array.from({ length: 30 }, (_, j) => ({
      name: `Maintenance ${j}`,
      steps: [{ name: 'Run', subsystem: j % 10 === 0 ? 'CmdExec' : 'TSQL', command: j % 10 === 0 ? 'cleanup.cmd' : `EXEC dbo.usp_App${String(j).padStart(3, '0')}_001` }],
    })),
    traceFlags: [460, 1117],
    databases: dbs,
  };
}
