import { PARQUET_CODECS, type ParquetCodec, type SniffedColumn } from '../../../shared/api/convert';
import { formatCount } from '../../../shared/format';
import { Field } from '../../lib/ui/Field';
import { ROW_GROUP_SIZES, stalePartition, temporalColumns, ZSTD_LEVELS, type ConvertSession } from './convertForm';
import { Radio } from '../../lib/ui/Radio';

interface Props {
  session: ConvertSession;
  update: (patch: Partial<ConvertSession>) => void;
  /** The sniffed columns of the first file (the partition choices come from them). */
  columns: readonly SniffedColumn[];
}

/** How the Parquet is written: day partitions, codec and level, row groups, and what bad rows do. */
export function ConvertFormatFields({ session, update, columns }: Props) {
  const { partitionByDay, codec, level, rowGroupSize, onBadRows, strict } = session;
  const choices = temporalColumns(columns, session.edits);
  const stale = stalePartition(session, choices);
  return (
    <>
      <Field
        label="Partition"
        htmlFor="convert-partition"
        hint={choices.length === 0 && columns.length > 0 ? 'no DATE or TIMESTAMP column to partition by' : undefined}
      >
        <select
          id="convert-partition"
          data-testid="convert-partition"
          value={partitionByDay}
          onChange={(e) => update({ partitionByDay: e.target.value })}
        >
          <option value="">None (one file per CSV)</option>
          {choices.map((c) => (
            <option key={c} value={c}>
              By day of {c} (date=YYYY-MM-DD)
            </option>
          ))}
          {stale !== null && <option value={stale}>{stale} (not a time column)</option>}
        </select>
      </Field>
      <Field label="Codec" htmlFor="convert-codec">
        <select
          id="convert-codec"
          data-testid="convert-codec"
          value={codec}
          onChange={(e) => update({ codec: e.target.value as ParquetCodec })}
        >
          {PARQUET_CODECS.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        {codec === 'zstd' && (
          <select
            aria-label="zstd level"
            value={level ?? ''}
            onChange={(e) => update({ level: e.target.value === '' ? null : Number(e.target.value) })}
          >
            <option value="">Level: default (3)</option>
            {ZSTD_LEVELS.map((l) => (
              <option key={l} value={l}>
                Level {l}
              </option>
            ))}
          </select>
        )}
        <label className="lake-field-inline">
          Row groups of
          <select aria-label="Row group size" value={rowGroupSize} onChange={(e) => update({ rowGroupSize: Number(e.target.value) })}>
            {ROW_GROUP_SIZES.map((n) => (
              <option key={n} value={n}>
                {formatCount(n)} rows
              </option>
            ))}
          </select>
        </label>
      </Field>
      <Field label="Bad rows">
        <Radio name="bad-rows" value="fail" current={onBadRows} onChange={(v) => update({ onBadRows: v })} testId="bad-rows-fail">
          Fail: write nothing and list them
        </Radio>
        <Radio name="bad-rows" value="skip" current={onBadRows} onChange={(v) => update({ onBadRows: v })} testId="bad-rows-skip">
          Skip them and list them
        </Radio>
      </Field>
      <Field label="Quality checks">
        <label title="Readings (battery_id or string_id, ts, voltage, temperature, resistance, current) are checked for time going backwards or repeated, values out of physical range, a probable unit mistake and a flipped current sign.">
          <input type="checkbox" checked={strict} onChange={(e) => update({ strict: e.target.checked })} data-testid="convert-strict" />
          Strict: a file with quality warnings fails and nothing is written
        </label>
      </Field>
    </>
  );
}
