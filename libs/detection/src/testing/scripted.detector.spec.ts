import { describeDetectorContract } from './detector-contract';
import { ScriptedDetector } from './scripted.detector';

// The fake the service tests rely on must honour the same port contract as the real detectors.
describeDetectorContract(ScriptedDetector.name, {
  create: () => new ScriptedDetector({ learnReadings: 3 }),
  learnReadings: 3,
});
