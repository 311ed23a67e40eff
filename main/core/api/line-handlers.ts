import type { Database } from 'better-sqlite3';
import type { EventHub } from '../events/event-hub';
import type { LineController } from '../line/line-controller';
import { listRuns } from '../line/provisionings.repo';
import { createRecipe, deleteRecipe, listRecipes, updateRecipe } from '../line/recipes.repo';
import type { QaService } from '../qa/qa-service';
import { StationError } from '../errors/station-error';
import type { Handlers } from './dispatcher';

type LineCalls =
  | 'recipes.list'
  | 'recipes.create'
  | 'recipes.update'
  | 'recipes.delete'
  | 'line.status'
  | 'line.start'
  | 'line.stop'
  | 'line.scan'
  | 'line.runs'
  | 'qa.inspect'
  | 'qa.recordVerdict'
  | 'qa.report';

export function lineHandlers(
  db: Database,
  hub: EventHub,
  line: LineController,
  qa: QaService,
): Pick<Handlers, LineCalls> {
  return {
    'recipes.list': () => listRecipes(db),
    'recipes.create': (input, ctx) => {
      const recipe = createRecipe(db, input, ctx);
      hub.emit('recipes.changed', { ids: [recipe.id] });
      return recipe;
    },
    'recipes.update': (input, ctx) => {
      // The running line holds its own copy; editing it mid-run would make the tiles lie.
      if (line.status().recipeId === input.id) {
        throw new StationError('LINE_RUNNING', 'The line is running this recipe; stop it before editing.', {
          step: 'update-recipe',
        });
      }
      const recipe = updateRecipe(db, input, ctx);
      hub.emit('recipes.changed', { ids: [recipe.id] });
      return recipe;
    },
    'recipes.delete': (input, ctx) => {
      const deleted = deleteRecipe(db, input.id, ctx);
      hub.emit('recipes.changed', { ids: [deleted.id] });
      return deleted;
    },
    'line.status': () => line.status(),
    'line.start': (input, ctx) => line.start(input, ctx),
    'line.stop': (_input, ctx) => line.stop(ctx),
    'line.scan': (input) => line.scan(input),
    'line.runs': () => listRuns(db),
    'qa.inspect': (input, ctx) => qa.inspect(input, ctx.actor),
    'qa.recordVerdict': (input, ctx) => qa.recordVerdict(input, ctx.actor),
    'qa.report': (input, ctx) => qa.report(input, ctx.actor),
  };
}
