// Every workflow the worker runs; the worker bundles this file.
export { caseFileWorkflow } from './case-file';
export { calendarPublicationWorkflow } from './calendar-publication';
export { avRecordWorkflow } from './av-record';
export { legalReviewWorkflow } from './legal-review';
export { digestWorkflow } from './digest';
export { anchorWorkflow } from './anchor';
export { enforcementWorkflow } from './enforcement';
export { disclosureWorkflow, disclosureCorrectionWorkflow } from './disclosure';
export { rolloutPlanWorkflow } from './rollout';
export { rolloutStepWorkflow } from './rollout-step';
export { scheduledDrawWorkflow } from './inspection-draw';
export { annualStatisticsWorkflow, statisticsTaskWorkflow } from './statistics';
export { basisChangeWorkflow } from './basis-change';
