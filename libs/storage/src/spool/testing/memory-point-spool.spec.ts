import { MemoryPointSpool } from './memory-point-spool';
import { pointSpoolContract } from './point-spool-contract';

pointSpoolContract(MemoryPointSpool.name, async () => new MemoryPointSpool());
