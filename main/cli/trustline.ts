import { isStationError } from '../core/errors/station-error';
import { auditCommand, auditUsage } from './audit-command';
import { caCommand, caUsage } from './ca-command';
import { deviceCommand, deviceUsage } from './device-command';
import { devicesCommand, devicesUsage } from './devices-command';
import { groupsCommand, groupsUsage } from './groups-command';
import { issueCommand, issueUsage } from './issue-command';
import { jobCommand, jobUsage } from './job-command';
import { keystoreCommand, keystoreUsage } from './keystore-command';
import { lineCommand, lineUsage } from './line-command';
import { qaCommand, qaUsage } from './qa-command';
import { recipeCommand, recipeUsage } from './recipe-command';
import { roleCommand, roleUsage } from './role-command';
import { exitCodes, printError, UsageError } from './output';
import { policyCommand, policyUsage } from './policy-command';
import { portsCommand, portsUsage } from './ports-command';
import { serveCommand, serveUsage } from './serve-command';
import { serverCommand, serverUsage } from './server-command';
import { simCommand, simUsage } from './sim-command';
import { syncCommand, syncUsage } from './sync-command';
import { tokenCommand, tokenUsage } from './token-command';
import { userCommand, userUsage } from './user-command';

const usage = `Trustline provisioning station

Usage:
${[serveUsage, devicesUsage, groupsUsage, keystoreUsage, caUsage, policyUsage, issueUsage, simUsage, deviceUsage, portsUsage, recipeUsage, lineUsage, qaUsage, jobUsage, auditUsage, userUsage, roleUsage, tokenUsage, syncUsage, serverUsage].join('\n')}

The data directory is --data DIR, else $TRUSTLINE_DATA, else the OS's application-data folder.
Data commands act as the API token in $TRUSTLINE_TOKEN, else as $TRUSTLINE_USER signed in with
$TRUSTLINE_PASSWORD; until the station has its first user (trustline user setup-admin) they act
as the local OS account with every permission.
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serveCommand(rest);
    case 'devices':
      return devicesCommand(rest);
    case 'groups':
      return groupsCommand(rest);
    case 'audit':
      return auditCommand(rest);
    case 'keystore':
      return keystoreCommand(rest);
    case 'ca':
      return caCommand(rest);
    case 'policy':
      return policyCommand(rest);
    case 'issue':
      return issueCommand(rest);
    case 'sim':
      return simCommand(rest);
    case 'device':
      return deviceCommand(rest);
    case 'ports':
      return portsCommand(rest);
    case 'recipe':
      return recipeCommand(rest);
    case 'line':
      return lineCommand(rest);
    case 'qa':
      return qaCommand(rest);
    case 'job':
      return jobCommand(rest);
    case 'user':
      return userCommand(rest);
    case 'role':
      return roleCommand(rest);
    case 'token':
      return tokenCommand(rest);
    case 'server':
      return serverCommand(rest);
    case 'sync':
      return syncCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage);
      return;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (isStationError(error)) {
    printError(error.toShape());
    process.exitCode = exitCodes.stationError;
  } else if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
    // parseArgs reports unknown or malformed options as TypeErrors with an ERR_PARSE_ARGS_* code.
    process.stderr.write(`trustline: ${error.message}\n\n${usage}`);
    process.exitCode = exitCodes.usage;
  } else {
    process.stderr.write(
      `trustline: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = exitCodes.stationError;
  }
});
