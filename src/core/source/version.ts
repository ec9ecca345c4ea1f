/**
 * SQL Server's version numbers as people name them. Pure (no driver): discovery reads versions
 * off the wire (PRELOGIN, SQL Server Browser) and names them without logging in.
 */
const PRODUCT_NAMES: Record<number, string> = {
  8: 'SQL Server 2000', 9: 'SQL Server 2005', 10: 'SQL Server 2008', 11: 'SQL Server 2012', 12: 'SQL Server 2014', 13: 'SQL Server 2016',
  14: 'SQL Server 2017', 15: 'SQL Server 2019', 16: 'SQL Server 2022', 17: 'SQL Server 2025',
};

/** "15.0.4298.1" -> "SQL Server 2019"; 10.50 is 2008 R2. */
export function productName(version: string): string {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major === 10 && minor >= 50) return 'SQL Server 2008 R2';
  return PRODUCT_NAMES[major] ?? `SQL Server (version ${version})`;
}
