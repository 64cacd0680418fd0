import { literal } from './sql.js';

/**
 * A DO block granting on `target` (quoted SQL name) the SELECT, INSERT,
 * UPDATE and DELETE privileges each role has on the table `source`, the
 * owner's implicit ones included: an app role that reached the data through
 * `source` keeps reaching it through what an operation puts beside it. Which
 * roles hold what only the catalog knows, hence dynamic SQL, reviewed here.
 * `extra` are PL/pgSQL lines run at the end of the same block.
 */
export function copyTablePrivileges(source: string, target: string, extra: readonly string[] = []): string {
  return [
    '-- phasegate:allow unanalysed-code the roles and privileges to copy are read from the catalog',
    'DO $pgate$',
    'DECLARE',
    '  privilege record;',
    'BEGIN',
    '  FOR privilege IN',
    `    SELECT acl.privilege_type, acl.is_grantable, CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(acl.grantee)) END AS grantee`,
    "      FROM pg_class AS c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) AS acl",
    `     WHERE c.oid = ${literal(source)}::regclass AND acl.privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE')`,
    '  LOOP',
    `    EXECUTE format('GRANT %s ON %s TO %s%s', privilege.privilege_type, ${literal(target)}, privilege.grantee, CASE WHEN privilege.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);`,
    '  END LOOP;',
    ...extra,
    'END',
    '$pgate$',
  ].join('\n');
}
