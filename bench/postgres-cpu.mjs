// CPU time of a PostgreSQL server running on this machine, read from /proc: every process of the
// server (the postmaster and its children: the backend of a call, the background processes, and
// through the postmaster's own count of its ended children the parallel workers, which end with
// each call), found from one backend's pid. NaN when the server runs elsewhere.
import { readdirSync, readFileSync } from 'node:fs';

const stat = (pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');

/** A function returning the server's CPU time so far in ms (user + system, 10 ms ticks). */
export function serverCpuClock(backendPid) {
  let postmaster;
  try {
    postmaster = Number(stat(backendPid)[1]);
  } catch {
    return () => Number.NaN; // the server runs elsewhere
  }
  return () => {
    let ticks = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const fields = stat(pid);
        if (Number(pid) === postmaster) ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
        else if (Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // the process ended meanwhile
      }
    }
    return ticks * 10;
  };
}
