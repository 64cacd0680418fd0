export { evaluateGate, type GateFacts, type GateVerdict } from './evaluate-gate.js';
