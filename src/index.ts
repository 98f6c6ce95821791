/**
 * psutil-exporter: the psutil surface for Node.js (Linux now), names per one rule: snake_case -> camelCase.
 * Explicit named exports only. The functions below belong to the default instance, which reads /proc, /sys and /
 * (or HOST_PROC, HOST_SYS, HOST_ROOT); createPsutil({ procfs, sysfs, rootfs }) gives the same API on other roots.
 */
import { createPsutil } from './probes/psutil';

export { createPsutil };
export type { Psutil, PsutilOptions } from './probes/psutil';
// ours: Python's os.fsencode/os.fsdecode, for the bytes the kernel gives (paths, arguments) kept as escaped surrogates.
export { fsencode, fsdecode } from './util/fsencoding';

// psutil's base class is `Error`; `PsutilError` is the same class under a name that does not shadow JavaScript's
// global Error (import it as `import { Error as PsutilBaseError } from 'psutil-exporter'` to keep both in scope).
export {
  PsutilError as Error,
  PsutilError,
  NoSuchProcess,
  ZombieProcess,
  AccessDenied,
  TimeoutExpired,
  UnsupportedOperation,
  ParseError,
  OsError,
} from './probes/errors';
export type { PsutilErrorCode } from './probes/errors';

export {
  LINUX,
  WINDOWS,
  MACOS,
  OSX,
  FREEBSD,
  OPENBSD,
  NETBSD,
  BSD,
  SUNOS,
  AIX,
  POSIX,
  STATUS_RUNNING,
  STATUS_SLEEPING,
  STATUS_DISK_SLEEP,
  STATUS_STOPPED,
  STATUS_TRACING_STOP,
  STATUS_ZOMBIE,
  STATUS_DEAD,
  STATUS_WAKE_KILL,
  STATUS_WAKING,
  STATUS_IDLE,
  STATUS_LOCKED,
  STATUS_WAITING,
  STATUS_SUSPENDED,
  STATUS_PARKED,
  CONN_ESTABLISHED,
  CONN_SYN_SENT,
  CONN_SYN_RECV,
  CONN_FIN_WAIT1,
  CONN_FIN_WAIT2,
  CONN_TIME_WAIT,
  CONN_CLOSE,
  CONN_CLOSE_WAIT,
  CONN_LAST_ACK,
  CONN_LISTEN,
  CONN_CLOSING,
  CONN_NONE,
  AF_UNIX,
  AF_INET,
  AF_INET6,
  AF_LINK,
  SOCK_STREAM,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  NIC_DUPLEX_FULL,
  NIC_DUPLEX_HALF,
  NIC_DUPLEX_UNKNOWN,
  POWER_TIME_UNKNOWN,
  POWER_TIME_UNLIMITED,
  IOPRIO_CLASS_NONE,
  IOPRIO_CLASS_RT,
  IOPRIO_CLASS_BE,
  IOPRIO_CLASS_IDLE,
  RLIM_INFINITY,
  RLIMIT_CPU,
  RLIMIT_FSIZE,
  RLIMIT_DATA,
  RLIMIT_STACK,
  RLIMIT_CORE,
  RLIMIT_RSS,
  RLIMIT_NPROC,
  RLIMIT_NOFILE,
  RLIMIT_MEMLOCK,
  RLIMIT_AS,
  RLIMIT_LOCKS,
  RLIMIT_SIGPENDING,
  RLIMIT_MSGQUEUE,
  RLIMIT_NICE,
  RLIMIT_RTPRIO,
  RLIMIT_RTTIME,
  version_info,
  __version__,
  // psutil 8.0's enums: frozen objects of the constants above, each also a type (the union of its values).
  ProcessStatus,
  ConnectionStatus,
  NicDuplex,
  BatteryTime,
  ProcessIOPriority,
  ProcessRlimit,
} from './probes/constants';

// psutil._common.bytes2human, which psutil's scripts and test() print sizes with (7.x semantics: |n| picks the prefix).
export { bytes2human } from './probes/format';

/** The default instance. */
export const psutil = createPsutil();

// ---- system functions of the default instance, by area (src/probes/<area>.ts) ----
// In each area the first line is psutil's functions (psutil's names, camelCased); the line marked `ours:` is the
// library's extensions, which psutil does not have: each is listed in docs/library-extensions.md (what it reads, why
// psutil lacks it), and test/probes/exports.test.ts fails on an export that is neither psutil's nor listed there.
export const { cpuTimes, cpuPercent, cpuTimesPercent, cpuCount, cpuStats, cpuFreq, getloadavg } = psutil;
/* ours: */ export const {
  procStat,
  procLoadavg,
  cpuInfo,
  cpuFreqDetails,
  schedstat,
  procInterrupts,
  cpuThermalThrottles,
  isolatedCpus,
  cpuVulnerabilities,
  procSoftirqs,
} = psutil;
export type {
  CpuTimes,
  CpuStats,
  CpuFreq,
  ProcStat,
  ProcStatCpu,
  ProcLoadavg,
  CpuInfo,
  CpuFreqDetails,
  SchedstatCpu,
  InterruptLine,
  CpuThermalThrottles,
  CpuVulnerability,
  Softirqs,
  SoftirqLine,
} from './probes/cpu';
export const { virtualMemory, swapMemory } = psutil;
/* ours: */ export const { procMeminfo, procVmstat, procSwaps } = psutil;
export type { VirtualMemory, SwapMemory, SwapArea } from './probes/memory';
export const { bootTime, users } = psutil;
/* ours: */ export const { uname, osRelease, clocksources, procPressure, fileNr, randomEntropy } = psutil;
export type {
  User,
  Uname,
  OsRelease,
  Clocksource,
  ProcPressure,
  PressureRecord,
  PressureLine,
  FileNr,
  RandomEntropy,
} from './probes/host';
export const { netIoCounters, netConnections, netIfAddrs, netIfStats } = psutil;
/* ours: */ export const {
  netDev,
  netRxNohandler,
  netClass,
  sockStat,
  netstat,
  tcpConnectionStates,
  tcpSocketStats,
  softnetStat,
  nfConntrack,
  arpEntries,
  udpQueues,
} = psutil;
export type {
  NetIoCounters,
  NetClassOptions,
  NetIoCountersOptions,
  NetIoCountersFn,
  Connection,
  ConnKind,
  InetAddr,
  NetConnectionsOptions,
  NicAddr,
  NicStats,
  NetDevCounters,
  NetClassIface,
  SockStat,
  NetstatRecord,
  TcpConnectionStates,
  TcpConnectionStatesOptions,
  TcpSocketStats,
  SoftnetCpu,
  NfConntrack,
  ConntrackStatCpu,
  ArpEntry,
  UdpQueues,
  UdpQueuesByFamily,
} from './probes/net';
export const { diskPartitions, diskUsage, diskIoCounters } = psutil;
/* ours: */ export const {
  diskUsageAsync,
  diskstats,
  mountinfo,
  blockDeviceInfo,
  blockDeviceSize,
  mountStats,
  mountStatsAsync,
  mountStatsLocal,
  mountStatsPending,
} = psutil;
export type {
  DiskPartition,
  DiskPartitionsOptions,
  DiskUsage,
  DiskUsageAsyncOptions,
  DiskIoCounters,
  DiskIoCountersOptions,
  DiskIoCountersFn,
  DiskstatsEntry,
  MountInfoEntry,
  BlockDeviceInfo,
  BlockDeviceInfoOptions,
  MountStats,
  MountStatsAsyncOptions,
} from './probes/disk';
export const { sensorsTemperatures, sensorsFans, sensorsBattery } = psutil;
/* ours: */ export const { hwmonChips, thermalZones, coolingDevices, powerSupplies } = psutil;
export type {
  Temperature,
  Fan,
  Battery,
  SensorsTemperaturesOptions,
  HwmonChip,
  ThermalZone,
  CoolingDevice,
  PowerSupply,
} from './probes/sensors';
export const { heapInfo, heapTrim } = psutil;
export type { HeapInfo } from './probes/heap';
// Cgroups: psutil has none (psutil #2100).
/* ours: */ export const { cgroupMode, cgroups, cgroupStats, cgroupIdentity, cgroupLimits } = psutil;
export type {
  CgroupMode,
  CgroupHierarchy,
  CgroupStats,
  CgroupIdentity,
  CgroupRuntime,
  QosClass,
  CgroupLimits,
} from './probes/cgroups';
/* ours: */ export const {
  timex,
  mdstat,
  nfsClientStats,
  nfsServerStats,
  nvmeControllers,
  dmiInfo,
  raplZones,
  edacControllers,
  bondingMasters,
  xfsDevices,
  btrfsFilesystems,
  zfsStats,
} = psutil;
export type {
  Timex,
  MdDevice,
  MdActivityState,
  NfsClientStats,
  NfsServerStats,
  NfsProcedure,
  NfsNetwork,
  NfsClientRpc,
  NfsServerRpc,
  NvmeController,
  RaplZone,
  EdacController,
  EdacCsrow,
  EdacChannel,
  BondingMaster,
  XfsDevice,
  XfsStats,
  BtrfsFilesystem,
  BtrfsAllocation,
  BtrfsLayout,
  BtrfsCommitStats,
  ZfsStats,
  ZfsPool,
  ZfsDataset,
  KstatEntry,
} from './probes/platform';
/* ours: */ export const { ipvs, fibreChannelHosts, scsiTapes, infinibandDevices, selinux, bcacheSets } = psutil;
export type {
  Ipvs,
  IpvsStats,
  IpvsBackend,
  FibreChannelHost,
  FcCounter,
  ScsiTape,
  TapeCounter,
  Infiniband,
  Selinux,
  BcacheSet,
  BcachePeriodCounter,
  BcacheWritebackRateDebug,
} from './probes/subsystems';
// Process and Popen are the base classes (default roots); createPsutil({ procfs }).Process is a subclass of them.
// From './probes/process/index' by name: a dist/ built before the split keeps a stale probes/process.js.
export { Process, Popen, PROCESS_ATTRS } from './probes/process/index';
/* ours: */ export { PROCESS_EXTENSION_ATTRS } from './probes/process/index';
export const { pids, pidExists, processIter, waitProcs, test } = psutil;
export type { TestOptions } from './probes/pstable';
/* ours: */ export const { procfsSelfPid, processSummary, kernelLimits } = psutil;
export type {
  ProcessAttr,
  ProcessAttrTypes,
  ProcessInfo,
  IterProcess,
  ProcessIterFn,
  ProcessIterOptions,
  AsDictOptions,
  ProcessIds,
  ProcessCpuTimes,
  ProcessMemoryInfo,
  ProcessMemoryInfoEx,
  ProcessMemoryFullInfo,
  ProcessMemoryMap,
  ProcessMemoryMapExt,
  ProcessIoCounters,
  ProcessCtxSwitches,
  ProcessThread,
  ProcessIonice,
  ProcessPageFaults,
  ProcessOpenFile,
  ProcessConnection,
  MemoryType,
  CpuPercentOptions,
  MemoryPercentOptions,
  MemoryMapsOptions,
  ProcessConnectionsOptions,
  ChildrenOptions,
  WaitOptions,
  WaitProcsOptions,
  ProcessCgroup,
  ProcessMemoryFootprint,
  ProcessMemoryUsage,
  ProcessThreadInfo,
  CmdlineOptions,
  UsernameOptions,
  ThreadsInfoOptions,
  SignalSent,
  ProcessSummary,
  ProcessSummaryOptions,
  KernelLimits,
  PopenOptions,
  PopenInput,
  CommunicateOptions,
  CommunicateResult,
} from './probes/process/index';
