/** Storage cost projection: bytes x price per GB-month, hot (PostgreSQL) vs cold (object storage). */
export const DEFAULT_PRICES = { hotPerGbMonth: 0.2, coldPerGbMonth: 0.02 } as const;

const GB = 1024 ** 3;

export interface CostInput {
  hotBytes: number;
  coldBytes: number;
  hotPerGbMonth: number;
  coldPerGbMonth: number;
  /** Bytes the archival policy would move from hot to cold (as Postgres bytes), and their Parquet size. */
  archivableHotBytes?: number;
  archivableParquetBytes?: number;
}

export interface CostProjection {
  hotMonthly: number;
  coldMonthly: number;
  totalMonthly: number;
  /** Monthly saving if the archivable rows moved to the lake. */
  archivalSavingMonthly: number;
  /** What the cold data would cost if it were kept in PostgreSQL at its Parquet size times `pgExpansion`. */
  allHotMonthly: number;
}

/** PostgreSQL rows take several times their zstd Parquet size; used only when no measured ratio is known. */
export const DEFAULT_PG_EXPANSION = 8;

/** What `bytes` cost a month at `perGbMonth` dollars per GiB-month. */
export function monthlyCost(bytes: number, perGbMonth: number): number {
  return (bytes / GB) * perGbMonth;
}

export function projectCost(input: CostInput, pgExpansion = DEFAULT_PG_EXPANSION): CostProjection {
  const hotMonthly = monthlyCost(input.hotBytes, input.hotPerGbMonth);
  const coldMonthly = monthlyCost(input.coldBytes, input.coldPerGbMonth);
  const moveHot = input.archivableHotBytes ?? 0;
  const moveCold = input.archivableParquetBytes ?? moveHot / pgExpansion;
  const archivalSavingMonthly = monthlyCost(moveHot, input.hotPerGbMonth) - monthlyCost(moveCold, input.coldPerGbMonth);
  return {
    hotMonthly,
    coldMonthly,
    totalMonthly: hotMonthly + coldMonthly,
    archivalSavingMonthly,
    allHotMonthly: hotMonthly + monthlyCost(input.coldBytes * pgExpansion, input.hotPerGbMonth),
  };
}
