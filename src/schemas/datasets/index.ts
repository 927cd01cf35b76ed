import type { Dataset } from '../../core/dataset.js'
import { orders } from './orders/index.js'

/** The datasets Ferry knows; `findDataset` picks the first whose key pattern matches, so order matters. */
export const datasets: Dataset[] = [orders]
