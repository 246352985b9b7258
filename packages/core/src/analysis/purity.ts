/**
 * What cellpipe assumes about calls it cannot see into. A method called on a notebook value mutates it
 * unless the method is listed here as pure; a call's arguments are mutated only by user functions that
 * mutate their parameters and by the library functions listed as mutating.
 */

/** Methods that never change their receiver (pandas, numpy, builtins, scikit-learn inference), unless `inplace=True`. */
export const PURE_METHODS: ReadonlySet<string> = new Set(
  `copy head tail describe info mean median mode sum min max std var sem count nunique unique value_counts isna isnull
  notna notnull any all get keys values items index startswith endswith lower upper strip lstrip rstrip split rsplit
  join format format_map splitlines title capitalize casefold center ljust rjust zfill partition rpartition find rfind
  isdigit isalpha isalnum isnumeric isspace islower isupper encode decode groupby agg aggregate apply applymap map merge
  astype to_numpy to_list tolist to_dict to_csv to_json to_parquet to_pickle to_excel to_string to_markdown to_records
  to_frame to_latex to_html sort_values sort_index drop dropna fillna rename reset_index set_index reindex reshape
  transpose dot round clip abs cumsum cumprod cummax cummin corr cov quantile sample query filter iterrows itertuples
  iteritems predict predict_proba predict_log_proba decision_function transform inverse_transform score get_params
  get_feature_names_out plot hist boxplot item ravel flatten argmax argmin argsort nonzero diff pct_change shift
  rolling expanding ewm resample pivot pivot_table melt explode duplicated drop_duplicates isin between where mask
  equals memory_usage select_dtypes nlargest nsmallest idxmax idxmin prod product rank squeeze stack unstack
  combine_first compare asof at_time between_time first last nth size describe_option union intersection difference
  symmetric_difference issubset issuperset isdisjoint most_common total elements conjugate real imag view astype
  replace count_nonzero nbytes tobytes hexdigest digest read readline readlines exists is_file is_dir glob iterdir
  stat resolve with_suffix with_name relative_to joinpath as_posix read_text read_bytes all_close allclose isclose
  get_group groups ngroup cumcount fetchone fetchall assign rename_axis add_prefix add_suffix droplevel swaplevel take
  truncate convert_dtypes infer_objects interpolate bfill ffill mul add sub div truediv floordiv mod pow radd rsub rmul
  rdiv lt gt le ge eq ne corrwith align nunique isin dtypes memory describe transform_output reindex_like set_axis
  value_counts to_series to_period to_timestamp tz_localize tz_convert`.split(/\s+/),
);

/** Methods whose result is a new object even though they may change their receiver (random draws advance the generator). */
export const FRESH_RESULT_METHODS: ReadonlySet<string> = new Set(
  `normal uniform integers random choice permutation binomial poisson exponential standard_normal rand randn randint
  random_sample beta gamma multinomial lognormal shuffle sample spawn bit_generator pop popitem readline read
  fit_transform predict fit_predict split`.split(/\s+/),
);

/**
 * Methods pure on pandas and numpy values but mutating on other common receivers (`set.add`, `random.Random.sample`):
 * a call mutates unless the receiver is known to be a pandas or numpy value.
 */
export const RECEIVER_DEPENDENT_METHODS: ReadonlySet<string> = new Set(['add', 'sample']);

/** What a value is, as far as method effects go, judged from how it was made. */
/** `array`: a pandas (or polars) value; `ndarray`: a numpy array, whose slices are views. */
/** `scalar`: a number, string, bool or None literal, which no method changes. */
export type ReceiverType = 'set' | 'list' | 'dict' | 'rng' | 'array' | 'ndarray' | 'scalar';

/** Methods that change a receiver of each type (for `rng` every method but these readers). */
const MUTATING_METHODS_OF: Record<
  Exclude<ReceiverType, 'rng' | 'array' | 'ndarray' | 'scalar'>,
  ReadonlySet<string>
> = {
  set: new Set(
    'add update discard remove pop clear intersection_update difference_update symmetric_difference_update'.split(' '),
  ),
  list: new Set('append extend insert remove pop clear sort reverse'.split(' ')),
  dict: new Set('update pop popitem setdefault clear'.split(' ')),
};
const RNG_READERS: ReadonlySet<string> = new Set(['getstate', 'get_state', 'bit_generator', 'spawn']);

/** Whether a value of this type may be a random generator, which a call it is handed to advances. */
export function mayBeGenerator(type: ReceiverType | undefined): boolean {
  return type === undefined || type === 'rng';
}

/** Whether `method` changes a receiver of type `type`; undefined when the type does not decide it. */
export function methodMutatesReceiver(type: ReceiverType | undefined, method: string): boolean {
  switch (type) {
    case 'set':
    case 'list':
    case 'dict':
      return MUTATING_METHODS_OF[type].has(method);
    case 'rng':
      return !RNG_READERS.has(method);
    case 'array':
    case 'ndarray':
    case 'scalar':
      return false;
    default:
      return true;
  }
}

/** Builtins whose result never holds their arguments (so it is not an alias of them). */
export const FRESH_CALLS: ReadonlySet<string> = new Set(
  `len str int float bool repr print isinstance issubclass hash id abs round format range open ord chr hex bin oct
  callable hasattr divmod pow complex bytes ascii type deepcopy`.split(/\s+/),
);

/** Functions and methods that change the objects passed to them (besides their receiver). */
export const MUTATING_FUNCTIONS: ReadonlySet<string> = new Set(
  `shuffle permutation_inplace copyto put place putmask fill_diagonal heappush heappop heapify heapreplace heappushpop
  insort insort_left insort_right setattr delattr next update_wrapper`.split(/\s+/),
);

/** Python builtins: never inputs of a step. */
export const BUILTINS: ReadonlySet<string> = new Set(
  `abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex copyright
  credits delattr dict dir divmod enumerate eval exec exit filter float format frozenset getattr globals hasattr hash
  help hex id input int isinstance issubclass iter len license list locals map max memoryview min next object oct
  open ord pow print property quit range repr reversed round set setattr slice sorted staticmethod str sum super tuple
  type vars zip __import__ __name__ __doc__ __file__ __builtins__ __spec__ __loader__ __package__ __debug__
  NotImplemented Ellipsis None True False ArithmeticError AssertionError AttributeError BaseException
  BaseExceptionGroup BlockingIOError BrokenPipeError BufferError BytesWarning ChildProcessError ConnectionAbortedError
  ConnectionError ConnectionRefusedError ConnectionResetError DeprecationWarning EOFError EncodingWarning
  EnvironmentError Exception ExceptionGroup FileExistsError FileNotFoundError FloatingPointError FutureWarning
  GeneratorExit IOError ImportError ImportWarning IndentationError IndexError InterruptedError IsADirectoryError
  KeyError KeyboardInterrupt LookupError MemoryError ModuleNotFoundError NameError NotADirectoryError
  NotImplementedError OSError OverflowError PendingDeprecationWarning PermissionError ProcessLookupError
  RecursionError ReferenceError ResourceWarning RuntimeError RuntimeWarning StopAsyncIteration StopIteration
  SyntaxError SyntaxWarning SystemError SystemExit TabError TimeoutError TypeError UnboundLocalError
  UnicodeDecodeError UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning UserWarning ValueError
  Warning ZeroDivisionError display get_ipython In Out _ __ ___`.split(/\s+/),
);

/**
 * Decorators (last dotted segment, from an import or the builtins) that only wrap the function, so re-running the
 * `def` in another step gives an equivalent function.
 */
export const PURE_DECORATORS: ReadonlySet<string> = new Set(
  `staticmethod classmethod property wraps lru_cache cache cached_property dataclass total_ordering`.split(/\s+/),
);

/** Builtins that reveal or change the namespace itself, so static analysis cannot follow them. */
export const DYNAMIC_BUILTINS: ReadonlySet<string> = new Set([
  'exec',
  'eval',
  'globals',
  'locals',
  'vars',
  '__import__',
]);

/** A method call on a value mutates it unless the method is known pure; `inplace=True` always mutates. */
export function methodMayMutate(method: string, inplace: boolean): boolean {
  return inplace || !PURE_METHODS.has(method);
}

/** Whether a call to `name` (a library function or method) may change its arguments. */
export function functionMutatesArguments(name: string): boolean {
  return MUTATING_FUNCTIONS.has(name) || (/^[a-z]\w*[a-z0-9]_$/i.test(name) && !name.startsWith('_'));
}
