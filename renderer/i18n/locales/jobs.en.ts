/** English strings of the Jobs screen (batch jobs); kept apart so the screen's work does not collide with the rest. */
export const jobsEn = {
  title: 'Batch jobs',
};
