/** Point-wise confusion counts and the rates the trainer reports. */
export interface ClassificationReport {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  /** FP / (FP + TN): share of normal rows alarmed. */
  falseAlarmRate: number;
  /** FN / (FN + TP): share of anomalous rows missed (1 - recall). */
  missedAlarmRate: number;
}

/** Compares predictions with labels row by row; ratios with an empty denominator are 0. */
export function classify(
  labels: ArrayLike<number | boolean>,
  predicted: ArrayLike<number | boolean>,
): ClassificationReport {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = Boolean(labels[i]);
    const alarm = Boolean(predicted[i]);
    if (label && alarm) tp++;
    else if (label) fn++;
    else if (alarm) fp++;
    else tn++;
  }
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return {
    tp,
    fp,
    tn,
    fn,
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    falseAlarmRate: ratio(fp, fp + tn),
    missedAlarmRate: ratio(fn, fn + tp),
  };
}
