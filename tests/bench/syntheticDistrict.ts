/** The synthetic district generator lives with the data (data/synthetic.ts, also behind `npm run data:generate -- --buildings N`). */
export * from '../../data/synthetic.ts';
