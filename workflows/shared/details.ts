import { setCurrentDetails as setDetails } from '@temporalio/workflow';

/** The Temporal UI's "current details": the step, who has the ball, and the deadline if any. */
export function setCurrentDetails(d: { step: string; who: string; deadline?: string; note?: string }): void {
  const lines = [`**步骤** ${d.step}`, `**办理** ${d.who}`];
  if (d.deadline) lines.push(`**期限** ${d.deadline}`);
  if (d.note) lines.push(d.note);
  setDetails(lines.join('\n\n'));
}
